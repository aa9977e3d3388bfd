import type { Stage } from '../../../src/domain/stages';
import type { LoadClient } from './load';

/**
 * What the API accepted, as a caller that retries knows it: an answer, or for a request whose first
 * attempts failed in flight, the evidence that one of them landed (409 duplicate_application for an
 * apply; the workflow already in the requested stage for a stage change).
 */
export interface AcceptedApplication {
  id: string;
  candidateId: number;
  stages: Stage[];
  phase: string;
}

export interface PhaseFigures {
  phase: string;
  accepted: number;
  ms: number;
  opsPerSecond: number;
  retried: number;
  failures: Record<string, number>;
  maxLatencyMs: number;
  /** From the fault to the answer of the last request that had to be retried. */
  recoveryMs: number | null;
  notes: Record<string, unknown>;
}

export class Ledger {
  readonly applications = new Map<string, AcceptedApplication>();
  readonly unexpected: string[] = [];
  readonly figures: PhaseFigures[] = [];
}

export interface Actor {
  id: number;
  token: string;
}

const PIPELINE: Stage[] = ['screening', 'interview', 'offer'];

export interface BurstOptions {
  phase: string;
  http: LoadClient;
  ledger: Ledger;
  jobId: number;
  recruiter: Actor;
  candidates: Actor[];
  /** The workflow's current stage, asked of Temporal when a retried stage change is refused as stale. */
  currentStage(applicationId: string): Promise<Stage>;
  /** Injected once, after this many requests of the burst were accepted. */
  fault?: { after: number; inject(): Promise<Record<string, unknown> | void> };
}

/** Each candidate applies, then the recruiter walks the application to a final stage, all concurrently. */
export async function burst(options: BurstOptions): Promise<PhaseFigures> {
  const { http, ledger, phase } = options;
  const before = { ...http.stats, failures: { ...http.stats.failures } };
  let accepted = 0;
  let faultAt: number | null = null;
  let faultDone: Promise<Record<string, unknown> | void> | undefined;
  let lastRetriedAt = 0;
  let maxLatencyMs = 0;
  const t0 = Date.now();
  const onAccepted = () => {
    accepted++;
    if (options.fault && accepted === options.fault.after) {
      faultAt = Date.now();
      faultDone = options.fault.inject();
    }
  };
  const observe = (a: { ms: number; failures: string[] }) => {
    maxLatencyMs = Math.max(maxLatencyMs, a.ms);
    if (a.failures.length) lastRetriedAt = Date.now();
  };

  await Promise.all(
    options.candidates.map(async (candidate, i) => {
      const applied = await http.request('POST', `/api/jobs/${options.jobId}/apply`, {
        token: candidate.token,
        body: { coverLetter: `${phase} #${i}` },
      });
      observe(applied);
      let id: string | undefined;
      if (applied.status === 201) id = applied.body.id;
      // The attempt that landed holds the id (its random part drawn by the API): the candidate reads it.
      else if (applied.status === 409 && applied.body?.code === 'duplicate_application' && applied.failures.length)
        id = (await http.request('GET', `/api/applications?jobId=${options.jobId}`, { token: candidate.token })).body?.items?.[0]?.id;
      if (!id) {
        ledger.unexpected.push(`${phase} apply of candidate ${candidate.id}: ${applied.status} ${JSON.stringify(applied.body)}`);
        return;
      }
      const record: AcceptedApplication = { id, candidateId: candidate.id, stages: ['applied'], phase };
      ledger.applications.set(id, record);
      onAccepted();
      let from: Stage = 'applied';
      for (const stage of [...PIPELINE, i % 3 === 0 ? 'rejected' : 'hired'] as Stage[]) {
        const answer = await http.request('PATCH', `/api/applications/${id}/stage`, {
          token: options.recruiter.token,
          body: { stage, fromStage: from },
        });
        observe(answer);
        const landedBefore =
          answer.status === 409 &&
          answer.body?.code === 'stage_changed' &&
          answer.failures.length > 0 &&
          (await options.currentStage(id)) === stage;
        if (answer.status !== 200 && !landedBefore) {
          ledger.unexpected.push(
            `${phase} ${id} ${from} -> ${stage}: ${answer.status} ${JSON.stringify(answer.body)} after ${answer.failures.join(', ') || 'no failures'}`,
          );
          return;
        }
        record.stages.push(stage);
        onAccepted();
        from = stage;
      }
    }),
  );
  const ms = Date.now() - t0;
  const notes = (await faultDone) ?? {};
  const failures: Record<string, number> = {};
  for (const [k, v] of Object.entries(http.stats.failures)) if (v - (before.failures[k] ?? 0)) failures[k] = v - (before.failures[k] ?? 0);
  const figures: PhaseFigures = {
    phase,
    accepted,
    ms,
    opsPerSecond: Math.round((accepted / ms) * 1000 * 10) / 10,
    retried: http.stats.retried - before.retried,
    failures,
    maxLatencyMs,
    recoveryMs: faultAt !== null && lastRetriedAt > faultAt ? lastRetriedAt - faultAt : null,
    notes: { ...(faultAt !== null ? { faultAfterMs: faultAt - t0 } : {}), ...notes },
  };
  ledger.figures.push(figures);
  return figures;
}

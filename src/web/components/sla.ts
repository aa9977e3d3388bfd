import { api, describe, type Job } from '../api/client';
import type { components } from '../api/schema';

/** One application waiting in its stage, as the time-in-stage report gives it, with its job. */
export type Waiting = components['schemas']['TimeInStage']['items'][number] & { jobId: string };

/**
 * The applications of these jobs that have waited in their stage longer than its SLA, longest first.
 * The API judges it (the stage's own `slaSeconds` in the application's pipeline version, else the
 * configured `STAGE_SLA_SECONDS`), so the app keeps no copy of the rule. Jobs the caller only
 * interviews for (no `counts`) are left out: their other applications are not the caller's to chase.
 */
export async function waitingPastSla(jobs: Job[]): Promise<Waiting[]> {
  const reports = await Promise.all(
    jobs
      .filter((job) => job.counts !== null)
      .map(async (job) => {
        const { data, error, response } = await api.GET('/api/reports/time-in-stage', { params: { query: { jobId: job.id } } });
        if (!data) throw new Error(describe(error, response));
        return data.items.filter((w) => w.overSla).map((w) => ({ ...w, jobId: job.id }));
      }),
  );
  return reports.flat().sort((a, b) => b.seconds - a.seconds);
}

/** A wait in whole days (at least one), for a reader. */
export function waited(seconds: number): string {
  const days = Math.max(1, Math.floor(seconds / 86_400));
  return `${days} day${days === 1 ? '' : 's'}`;
}

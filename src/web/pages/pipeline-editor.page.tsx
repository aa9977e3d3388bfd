import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Job, type Pipeline, type PipelineStage, type Problem, type StageKind } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { runs, useJobRole } from '../components/job-role';
import { PipelineHistory } from '../components/pipeline-history';

const STAGE_KINDS: StageKind[] = ['applied', 'screening', 'interview', 'offer', 'hired'];

/** A stage as the form holds it: the SLA in hours as typed, and a key that survives reordering. */
interface Draft {
  key: number;
  id: string;
  name: string;
  kind: StageKind;
  slaHours: string;
}

let nextKey = 0;
const draftOf = (s: PipelineStage): Draft => ({
  key: nextKey++,
  id: s.id,
  name: s.name,
  kind: s.kind,
  slaHours: s.slaSeconds ? String(s.slaSeconds / 3600) : '',
});
const stageOf = (d: Draft): PipelineStage => ({
  id: d.id.trim(),
  name: d.name.trim(),
  kind: d.kind,
  ...(d.slaHours.trim() ? { slaSeconds: Math.round(Number(d.slaHours) * 3600) } : {}),
});

/** The 422's messages by the index of the stage they name (`stages.2.kind`), the rest under -1. */
function messagesByStage(problem: Problem | undefined): Map<number, string[]> {
  const byStage = new Map<number, string[]>();
  for (const e of problem?.errors ?? []) {
    const at = /stages\.(\d+)/.exec(e.path);
    const index = at ? Number(at[1]) : -1;
    byStage.set(index, [...(byStage.get(index) ?? []), e.message]);
  }
  return byStage;
}

/**
 * A job's pipeline for the people who run it: stages added, renamed, reordered and removed, then
 * published as a new version, which only applications that apply from then on (or a migration) take.
 * The API judges the rules; its 422 appears at the stage that breaks one.
 */
export function PipelineEditorPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [current, setCurrent] = useState<Pipeline | null>(null);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [errors, setErrors] = useState<Map<number, string[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [published, setPublished] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { role } = useJobRole(jobId);
  const edits = runs(role);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/jobs/{id}/pipeline', { params: { path: { id: jobId } } });
    setCurrent(data ?? null);
    if (data) setDrafts(data.stages.map(draftOf));
    else setError(describe(error, response));
  };
  useEffect(() => {
    void api.GET('/api/jobs/{id}', { params: { path: { id: jobId } } }).then(({ data }) => setJob(data ?? null));
    void load();
  }, [jobId]);

  const change = (key: number, patch: Partial<Draft>) => setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  const shift = (index: number, by: -1 | 1, control: 'up' | 'down') => {
    const to = index + by;
    if (to < 0 || to >= drafts.length) return;
    const next = [...drafts];
    [next[index], next[to]] = [next[to], next[index]];
    setDrafts(next);
    setErrors(new Map());
    // The moved stage keeps the focus, so the keyboard can carry it on.
    const key = next[to].key;
    const edge = (control === 'up' && to === 0) || (control === 'down' && to === next.length - 1);
    const button = edge ? (control === 'up' ? 'down' : 'up') : control;
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-key="${key}"] [data-move="${button}"]`)?.focus());
  };
  const remove = (key: number) => {
    setDrafts((ds) => ds.filter((d) => d.key !== key));
    setErrors(new Map());
  };
  const add = () => {
    const key = nextKey++;
    setDrafts((ds) => [...ds.slice(0, -1), { key, id: '', name: '', kind: 'interview', slaHours: '' }, ...ds.slice(-1)]);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-key="${key}"] input`)?.focus());
  };

  const publish = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setPublished(null);
    const { data, error, response } = await api.PUT('/api/jobs/{id}/pipeline', {
      params: { path: { id: jobId } },
      body: { stages: drafts.map(stageOf) },
    });
    setBusy(false);
    if (data) {
      setPublished(
        data.version === current?.version ? `No change: version ${data.version} stays current.` : `Published version ${data.version}.`,
      );
      setErrors(new Map());
      setError(null);
      setCurrent(data);
      setDrafts(data.stages.map(draftOf));
      return;
    }
    const byStage = messagesByStage(error as Problem | undefined);
    setErrors(byStage);
    setError(byStage.size ? 'Not published: fix the stages marked below.' : describe(error, response));
    if (byStage.get(-1)) setError(`Not published: ${byStage.get(-1)!.join(' ')}`);
  };

  return (
    <Layout title={job ? `Pipeline of ${job.title}` : 'Pipeline'}>
      <p>
        <Link to={`/recruiter/jobs/${jobId}/board`}>Board</Link> · <Link to={`/recruiter/jobs/${jobId}/reports`}>Reports</Link>
        {edits ? (
          <>
            {' '}
            · <Link to={`/recruiter/jobs/${jobId}/pipeline/migrate`}>Migrate applications</Link>
          </>
        ) : null}
      </p>
      <Alert message={error} />
      <Alert message={published} kind="info" />
      {current ? (
        <p>
          Current version: <strong data-version={current.version}>{current.version}</strong>
        </p>
      ) : null}
      {!current ? null : edits ? (
        <form class="stack pipeline-editor" onSubmit={publish}>
          <p class="hint">
            The first stage is of kind applied, the last (and only the last) of kind hired. Applications keep the version they applied
            under; a migration moves them to a new one.
          </p>
          <ol class="stages">
            {drafts.map((d, i) => (
              <li key={d.key} data-key={d.key} data-index={i}>
                <fieldset>
                  <legend>
                    Stage {i + 1}
                    {d.name ? `: ${d.name}` : ''}
                  </legend>
                  <div class="stage-fields">
                    <label>
                      Id
                      <input
                        value={d.id}
                        required
                        pattern="[a-z0-9_\-]{1,40}"
                        onInput={(e) => change(d.key, { id: e.currentTarget.value })}
                      />
                    </label>
                    <label>
                      Name
                      <input value={d.name} required onInput={(e) => change(d.key, { name: e.currentTarget.value })} />
                    </label>
                    <label>
                      Kind
                      <select value={d.kind} onChange={(e) => change(d.key, { kind: e.currentTarget.value as StageKind })}>
                        {STAGE_KINDS.map((k) => (
                          <option key={k} value={k}>
                            {k}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      SLA in hours (optional)
                      <input
                        type="number"
                        min="1"
                        step="any"
                        value={d.slaHours}
                        onInput={(e) => change(d.key, { slaHours: e.currentTarget.value })}
                      />
                    </label>
                  </div>
                  <div class="actions">
                    <button type="button" data-move="up" disabled={i === 0} onClick={() => shift(i, -1, 'up')}>
                      Up<span class="visually-hidden"> (stage {i + 1})</span>
                    </button>
                    <button type="button" data-move="down" disabled={i === drafts.length - 1} onClick={() => shift(i, 1, 'down')}>
                      Down<span class="visually-hidden"> (stage {i + 1})</span>
                    </button>
                    <button type="button" class="danger" onClick={() => remove(d.key)}>
                      Remove<span class="visually-hidden"> stage {i + 1}</span>
                    </button>
                  </div>
                  {errors.get(i)?.map((m) => (
                    <p class="alert alert-error stage-error" role="alert" key={m}>
                      {m}
                    </p>
                  ))}
                </fieldset>
              </li>
            ))}
          </ol>
          <div class="actions">
            <button type="button" onClick={add}>
              Add a stage
            </button>
            <button type="submit" disabled={busy}>
              Publish a new version
            </button>
          </div>
        </form>
      ) : (
        <ol>
          {current.stages.map((s) => (
            <li key={s.id}>
              {s.name} ({s.kind})
            </li>
          ))}
        </ol>
      )}
      {current ? <PipelineHistory jobId={jobId} latest={current.version} /> : null}
    </Layout>
  );
}

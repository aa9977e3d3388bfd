import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describe, type Job, type MigrationDryRun, type Pipeline, type PipelineMigration, type PipelineStage } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { runs, useJobRole } from '../components/job-role';
import { pipelineVersions } from '../components/pipeline-history';
import { isFinal } from '../components/pinned-pipeline';

/** How often a running migration's progress is read again. */
const POLL_MS = 1_000;

const nonFinal = (p: Pipeline): PipelineStage[] => p.stages.filter((s) => !isFinal(p.stages, s.id));

/** Where a stage of the old version goes unless chosen otherwise: the same id, else the first stage of its kind, else the first. */
function defaultTarget(stage: PipelineStage, to: PipelineStage[]): string {
  return (to.find((s) => s.id === stage.id) ?? to.find((s) => s.kind === stage.kind) ?? to[0]).id;
}

/**
 * Moves a job's running applications from one pipeline version to another, for the people who run
 * the job: every non-final stage of the old version is mapped onto a non-final stage of the new, a dry
 * run counts who would move from each, and the migration, once started, is a workflow whose progress
 * the page reads until it completes.
 */
export function PipelineMigrationPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [versions, setVersions] = useState<Pipeline[] | null>(null);
  const [fromVersion, setFromVersion] = useState(0);
  const [toVersion, setToVersion] = useState(0);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [dryRun, setDryRun] = useState<MigrationDryRun | null>(null);
  const [migration, setMigration] = useState<PipelineMigration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const poll = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { role } = useJobRole(jobId);

  useEffect(() => {
    void api.GET('/api/jobs/{id}', { params: { path: { id: jobId } } }).then(({ data }) => setJob(data ?? null));
    void api.GET('/api/jobs/{id}/pipeline', { params: { path: { id: jobId } } }).then(async ({ data, error, response }) => {
      if (!data) return setError(describe(error, response));
      const all = await pipelineVersions(jobId, data.version);
      setVersions(all);
      setToVersion(data.version);
      setFromVersion(Math.max(1, data.version - 1));
    });
    return () => clearTimeout(poll.current);
  }, [jobId]);

  const from = versions?.find((v) => v.version === fromVersion);
  const to = versions?.find((v) => v.version === toVersion);
  const targets = to ? nonFinal(to) : [];
  const stageMap: Record<string, string> = Object.fromEntries(
    (from ? nonFinal(from) : []).map((s) => {
      const chosen = choices[s.id];
      return [s.id, chosen && targets.some((t) => t.id === chosen) ? chosen : defaultTarget(s, targets)];
    }),
  );
  const reset = () => {
    setDryRun(null);
    setError(null);
  };

  const follow = (id: string) => {
    poll.current = setTimeout(async () => {
      const { data, error, response } = await api.GET('/api/jobs/{id}/pipeline/migrations/{migrationId}', {
        params: { path: { id: jobId, migrationId: id } },
      });
      if (!data) return setError(describe(error, response));
      setMigration(data);
      if (data.status === 'running') follow(id);
    }, POLL_MS);
  };

  const send = async (dry: boolean) => {
    if (busy || !from || !to) return;
    setBusy(true);
    setError(null);
    const { data, error, response } = await api.POST('/api/jobs/{id}/pipeline/migrations', {
      params: { path: { id: jobId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      body: { fromVersion, toVersion, stageMap, ...(dry ? { dryRun: true } : {}) },
    });
    setBusy(false);
    if (!data) return setError(describe(error, response));
    if ('id' in data) {
      setMigration(data);
      if (data.status === 'running') follow(data.id);
    } else setDryRun(data);
  };

  const versionSelect = (label: string, value: number, set: (v: number) => void) => (
    <label>
      {label}
      <select
        value={String(value)}
        disabled={Boolean(migration)}
        onChange={(e) => {
          set(Number(e.currentTarget.value));
          reset();
        }}
      >
        {versions?.map((v) => (
          <option key={v.version} value={String(v.version)}>
            Version {v.version}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Layout title={job ? `Migrate applications of ${job.title}` : 'Migrate applications'}>
      <p>
        <Link to={`/recruiter/jobs/${jobId}/pipeline`}>Pipeline and versions</Link> ·{' '}
        <Link to={`/recruiter/jobs/${jobId}/board`}>Board</Link>
      </p>
      <Alert message={error} />
      {role !== undefined && !runs(role) ? (
        <p>Only admins and the job’s recruiters migrate its applications.</p>
      ) : !versions ? (
        <p role="status">Loading…</p>
      ) : versions.length < 2 ? (
        <p>This job’s pipeline has one version: publish another to migrate its applications to it.</p>
      ) : (
        <form
          class="stack migration"
          onSubmit={(e) => {
            e.preventDefault();
            void send(true);
          }}
        >
          <div class="filters">
            {versionSelect('From version', fromVersion, setFromVersion)}
            {versionSelect('To version', toVersion, setToVersion)}
          </div>
          {from && to ? (
            <fieldset>
              <legend>
                Each stage of version {fromVersion} goes to a stage of version {toVersion}
              </legend>
              {nonFinal(from).map((s) => (
                <label key={s.id} data-from={s.id}>
                  {s.name} ({s.id}) to
                  <select
                    value={stageMap[s.id]}
                    disabled={Boolean(migration)}
                    onChange={(e) => {
                      setChoices((c) => ({ ...c, [s.id]: e.currentTarget.value }));
                      reset();
                    }}
                  >
                    {targets.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name} ({t.id})
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </fieldset>
          ) : null}
          <div class="actions">
            <button type="submit" disabled={busy || Boolean(migration)}>
              Dry run
            </button>
            <button type="button" disabled={busy || !dryRun || Boolean(migration)} onClick={() => void send(false)}>
              Start the migration
            </button>
          </div>
        </form>
      )}
      {dryRun && from ? <DryRunCounts dryRun={dryRun} from={from} stageMap={stageMap} /> : null}
      {migration ? <Progress migration={migration} /> : null}
    </Layout>
  );
}

function DryRunCounts({ dryRun, from, stageMap }: { dryRun: MigrationDryRun; from: Pipeline; stageMap: Record<string, string> }) {
  return (
    <section class="panel" aria-labelledby="dry-run" data-section="dry-run">
      <h2 id="dry-run">Dry run</h2>
      <p role="status">
        {dryRun.total} running application{dryRun.total === 1 ? '' : 's'} of version {dryRun.fromVersion} would move to version{' '}
        {dryRun.toVersion}.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Stage of version {dryRun.fromVersion}</th>
              <th scope="col">Goes to</th>
              <th scope="col">Applications</th>
            </tr>
          </thead>
          <tbody>
            {nonFinal(from).map((s) => (
              <tr key={s.id} data-stage={s.id}>
                <th scope="row">{s.id}</th>
                <td>{stageMap[s.id]}</td>
                <td>{dryRun.byStage[s.id] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Progress({ migration }: { migration: PipelineMigration }) {
  const done = migration.migrated + migration.failed;
  return (
    <section class="panel" aria-labelledby="progress" data-section="migration" data-status={migration.status}>
      <h2 id="progress">Migration</h2>
      <label>
        Applications moved
        <progress max={Math.max(1, migration.total)} value={migration.status === 'completed' && !migration.total ? 1 : done} />
      </label>
      <p role="status" data-progress>
        {migration.status === 'running' ? 'Running' : migration.status === 'completed' ? 'Completed' : 'Failed'}: {migration.migrated} of{' '}
        {migration.total} moved, {migration.failed} failed.
      </p>
    </section>
  );
}

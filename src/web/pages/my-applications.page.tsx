import { useEffect, useState } from 'preact/hooks';
import { allPages, api, describe, type Application, type Interview } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { HistoryList } from '../components/history-list';
import { useSession } from '../components/session';
import { InterviewList } from '../components/interview-list';

const pinned = (app: Application) => `${app.jobId}@${app.pipelineVersion}`;

/**
 * The last (final) stage of each pipeline version these applications are pinned to, whatever its id;
 * a closed job's pipeline is not the candidate's to read, and its applications fall back to `hired`.
 */
async function lastStagesOf(apps: Application[]): Promise<Record<string, string>> {
  const keys = [...new Map(apps.map((a) => [pinned(a), a])).values()];
  const answers = await Promise.all(
    keys.map((a) => api.GET('/api/jobs/{id}/pipeline', { params: { path: { id: a.jobId }, query: { version: a.pipelineVersion } } })),
  );
  return Object.fromEntries(keys.flatMap((a, i) => (answers[i].data ? [[pinned(a), answers[i].data.stages.at(-1)!.id]] : [])));
}

/** A candidate's own applications, each with its stage, history and interviews, and a way to withdraw. */
export function MyApplicationsPage() {
  const { user } = useSession();
  const [apps, setApps] = useState<Application[] | null>(null);
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [interviews, setInterviews] = useState<Record<string, Interview[]>>({});
  /** Null until read: no Withdraw is offered before the app knows which stage is final. */
  const [lastStages, setLastStages] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const items = await allPages(async (cursor) => {
        const { data, error, response } = await api.GET('/api/applications', {
          params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        });
        if (!data) throw new Error(describe(error, response));
        return data;
      });
      setApps(items);
      setError(null);
      const ids = [...new Set(items.map((a) => a.jobId))];
      const jobs = await Promise.all(ids.map((id) => api.GET('/api/jobs/{id}', { params: { path: { id } } })));
      setTitles(Object.fromEntries(jobs.flatMap(({ data }) => (data ? [[data.id, `${data.title} · ${data.company}`]] : []))));
      setLastStages(await lastStagesOf(items));
      const lists = await Promise.all(items.map((a) => api.GET('/api/applications/{id}/interviews', { params: { path: { id: a.id } } })));
      setInterviews(Object.fromEntries(items.map((a, i) => [a.id, lists[i].data?.items ?? []])));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const withdraw = async (app: Application) => {
    if (!confirm('Withdraw this application? This cannot be undone.')) return;
    const { data, error, response } = await api.POST('/api/applications/{id}/withdraw', { params: { path: { id: app.id } } });
    setError(data ? null : describe(error, response));
    await load();
  };

  return (
    <Layout title="My applications">
      <Alert message={error} />
      {apps === null ? (
        <p role="status">Loading…</p>
      ) : apps.length === 0 ? (
        <p>
          You have not applied yet. <Link to="/">Browse open jobs</Link>.
        </p>
      ) : (
        <ul class="cards" aria-label="Applications">
          {apps.map((app) => (
            <li key={app.id} class="card" data-application={app.id}>
              <h2>{titles[app.jobId] ?? `Job ${app.jobId}`}</h2>
              <p>
                Stage:{' '}
                <strong class={`stage stage-${app.stage}`} data-testid="stage">
                  {app.stage}
                </strong>
              </p>
              <h3>History</h3>
              <HistoryList history={app.history} me={user?.id} />
              {interviews[app.id]?.length ? (
                <>
                  <h3>Interviews</h3>
                  <InterviewList interviews={interviews[app.id]} />
                </>
              ) : null}
              {!lastStages || app.stage === 'rejected' || app.stage === (lastStages[pinned(app)] ?? 'hired') ? null : (
                <button type="button" onClick={() => void withdraw(app)}>
                  Withdraw
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

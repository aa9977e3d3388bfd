import { useEffect, useState } from 'preact/hooks';
import { api, describe, FINAL, STAGES, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { JobForm, type JobDraft } from '../components/job-form';

const body = (d: JobDraft) => ({
  title: d.title,
  company: d.company,
  location: d.location || null,
  description: d.description || null,
  status: d.status,
});

const RUNNING = STAGES.filter((s) => !FINAL.includes(s));

/** A job's running applications per stage, in pipeline order. */
function StageCounts({ job }: { job: Job }) {
  if (!job.counts) return null;
  const counts = job.counts;
  return (
    <ul class="stage-counts" aria-label={`Running applications of ${job.title}`}>
      {RUNNING.map((stage) => (
        <li key={stage} data-stage={stage}>
          {stage}: <strong>{counts[stage] ?? 0}</strong>
        </li>
      ))}
    </ul>
  );
}

/**
 * The jobs whose hiring team the recruiter is on (admins: all), each with its running applications
 * per stage: only jobs the API lets them edit and close, so no button here answers 403.
 */
export function RecruiterJobsPage() {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/jobs', { params: { query: { limit: 100, mine: 'true' } } });
    setJobs(data?.items ?? []);
    setError(data ? null : describe(error, response));
  };
  useEffect(() => {
    void load();
  }, []);

  const create = async (d: JobDraft) => {
    const { data, error, response } = await api.POST('/api/jobs', { body: body(d) });
    setError(data ? null : describe(error, response));
    if (data) {
      setCreating(false);
      await load();
    }
  };
  const update = async (id: string, patch: Parameters<typeof body>[0] | { status: Job['status'] }) => {
    const { data, error, response } = await api.PATCH('/api/jobs/{id}', {
      params: { path: { id } },
      body: 'title' in patch ? body(patch) : patch,
    });
    setError(data ? null : describe(error, response));
    if (data) {
      setEditing(null);
      await load();
    }
  };

  return (
    <Layout title="Manage jobs">
      <Alert message={error} />
      {creating ? (
        <section class="card" aria-labelledby="new-job">
          <h2 id="new-job">New job</h2>
          <JobForm submitLabel="Create job" onSubmit={create} />
        </section>
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          New job
        </button>
      )}
      {jobs === null ? (
        <p role="status">Loading…</p>
      ) : (
        <ul class="cards" aria-label="Jobs">
          {jobs.map((job) => (
            <li key={job.id} class="card">
              <h2>{job.title}</h2>
              <p>
                {job.company}
                {job.location ? ` · ${job.location}` : ''} · <span class={`status status-${job.status}`}>{job.status}</span>
              </p>
              <StageCounts job={job} />
              <p class="actions">
                <Link to={`/recruiter/jobs/${job.id}/board`}>
                  Pipeline board<span class="visually-hidden"> for {job.title}</span>
                </Link>
                <button type="button" onClick={() => setEditing(editing === job.id ? null : job.id)} aria-expanded={editing === job.id}>
                  Edit<span class="visually-hidden"> {job.title}</span>
                </button>
                {job.status === 'closed' ? null : (
                  <button type="button" onClick={() => void update(job.id, { status: 'closed' })}>
                    Close<span class="visually-hidden"> {job.title}</span>
                  </button>
                )}
              </p>
              {editing === job.id ? <JobForm job={job} submitLabel="Save job" onSubmit={(d) => update(job.id, d)} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

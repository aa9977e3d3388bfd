import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Job, type User } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { JobForm, type JobDraft } from '../components/job-form';
import { StageCounts } from '../components/stage-counts';
import { jobRoleOf, runs, type JobRole } from '../components/job-role';
import { useSession } from '../components/session';

const body = (d: JobDraft) => ({
  title: d.title,
  company: d.company,
  location: d.location || null,
  description: d.description || null,
  status: d.status,
});

/** The caller's role on each job: an interviewer is told by the counts the API withholds, the rest by the team. */
async function rolesOn(user: User, jobs: Job[]): Promise<Record<string, JobRole>> {
  const roles = await Promise.all(
    jobs.map(async (job): Promise<[string, JobRole]> => {
      if (user.role === 'admin') return [job.id, 'admin'];
      if (job.counts === null) return [job.id, 'interviewer'];
      return [job.id, (await jobRoleOf(user, job.id)).role];
    }),
  );
  return Object.fromEntries(roles);
}

/**
 * The jobs whose hiring team the caller is on (admins: all), each with its running applications per
 * stage; Edit and Close only on the jobs where they are a recruiter, so no button here answers 403.
 */
export function RecruiterJobsPage() {
  const { user } = useSession();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [roles, setRoles] = useState<Record<string, JobRole>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/jobs', { params: { query: { limit: 100, mine: 'true' } } });
    if (user && data) setRoles(await rolesOn(user, data.items));
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
      {user?.role !== 'recruiter' && user?.role !== 'admin' ? null : creating ? (
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
                <Link to={`/recruiter/jobs/${job.id}/reports`}>
                  Reports<span class="visually-hidden"> for {job.title}</span>
                </Link>
                {runs(roles[job.id]) ? (
                  <JobActions
                    job={job}
                    editing={editing === job.id}
                    onEdit={() => setEditing(editing === job.id ? null : job.id)}
                    onClose={() => void update(job.id, { status: 'closed' })}
                  />
                ) : null}
              </p>
              {editing === job.id ? <JobForm job={job} submitLabel="Save job" onSubmit={(d) => update(job.id, d)} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** Edit and Close, for a job the caller runs. */
function JobActions({ job, editing, onEdit, onClose }: { job: Job; editing: boolean; onEdit(): void; onClose(): void }) {
  return (
    <>
      <button type="button" onClick={onEdit} aria-expanded={editing}>
        Edit<span class="visually-hidden"> {job.title}</span>
      </button>
      {job.status === 'closed' ? null : (
        <button type="button" onClick={onClose}>
          Close<span class="visually-hidden"> {job.title}</span>
        </button>
      )}
    </>
  );
}

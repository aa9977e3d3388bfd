import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { navigate } from '../router';

/** One job, and for a signed-in candidate the application form. */
export function JobPage({ id }: { id: string }) {
  const { user } = useSession();
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [coverLetter, setCoverLetter] = useState('');
  const [resumeUrl, setResumeUrl] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api.GET('/api/jobs/{id}', { params: { path: { id } } }).then(({ data, error, response }) => {
      setJob(data ?? null);
      setError(data ? null : describe(error, response));
    });
  }, [id]);

  const apply = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const { data, error, response } = await api.POST('/api/jobs/{id}/apply', {
      params: { path: { id } },
      body: { coverLetter: coverLetter || null, resumeUrl: resumeUrl || null },
    });
    setBusy(false);
    if (data) navigate('/my');
    else setError(describe(error, response));
  };

  return (
    <Layout title={job?.title ?? 'Job'}>
      <Alert message={error} />
      {job ? (
        <>
          <p class="meta">
            {job.company}
            {job.location ? ` · ${job.location}` : ''} · {job.status}
          </p>
          {job.description ? <p class="description">{job.description}</p> : null}
          {user?.role === 'candidate' ? (
            <form class="stack" onSubmit={apply}>
              <h2>Apply</h2>
              <label>
                Cover letter{' '}
                <textarea name="coverLetter" rows={6} value={coverLetter} onInput={(e) => setCoverLetter(e.currentTarget.value)} />
              </label>
              <label>
                Résumé URL{' '}
                <input
                  type="url"
                  name="resumeUrl"
                  value={resumeUrl}
                  onInput={(e) => setResumeUrl(e.currentTarget.value)}
                  placeholder="https://"
                />
              </label>
              <button type="submit" disabled={busy}>
                Send application
              </button>
            </form>
          ) : user ? null : (
            <p>
              <Link to="/signin">Sign in</Link> or <Link to="/signup">sign up</Link> to apply.
            </p>
          )}
        </>
      ) : null}
    </Layout>
  );
}

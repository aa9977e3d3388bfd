import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Company, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';

/** The public job board: open jobs, searched by title or company, filtered by company. */
export function JobBoardPage() {
  const [q, setQ] = useState('');
  const [companyId, setCompanyId] = useState('');
  const [companies, setCompanies] = useState<Company[]>([]);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async () => {
    const { data, error, response } = await api.GET('/api/jobs', {
      params: { query: { status: 'open', limit: 100, ...(q ? { q } : {}), ...(companyId ? { companyId } : {}) } },
    });
    if (data) setJobs(data.items);
    setError(data ? null : describe(error, response));
  };
  useEffect(() => {
    void api.GET('/api/companies', { params: { query: { limit: 100 } } }).then(({ data }) => setCompanies(data?.items ?? []));
    void search();
  }, []);

  return (
    <Layout title="Open jobs">
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          Search <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="Title or company" />
        </label>
        <label>
          Company
          <select name="companyId" value={companyId} onChange={(e) => setCompanyId(e.currentTarget.value)}>
            <option value="">All companies</option>
            {companies.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <Alert message={error} />
      {jobs === null ? (
        <p role="status">Loading…</p>
      ) : jobs.length === 0 ? (
        <p role="status">No open job matches.</p>
      ) : (
        <ul class="cards" aria-label="Jobs">
          {jobs.map((job) => (
            <li key={job.id} class="card">
              <h2>
                <Link to={`/jobs/${job.id}`}>{job.title}</Link>
              </h2>
              <p>
                {job.company}
                {job.location ? ` · ${job.location}` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

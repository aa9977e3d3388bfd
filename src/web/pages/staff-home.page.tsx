import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { allPages, api, describe, type Application, type Interview, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { StageCounts } from '../components/stage-counts';
import { candidateName } from '../components/candidate-name';
import { overSla, waited } from '../components/sla';
import { submittedBy, When } from '../components/interview-list';

type Loaded<T> = { items: T } | { error: string } | null;

/** Every page of an application list the caller may see, narrowed by `query`. */
function applications(query: { needsDecision?: 'true' } = {}): Promise<Application[]> {
  return allPages(async (cursor) => {
    const { data, error, response } = await api.GET('/api/applications', {
      params: { query: { limit: 100, ...(cursor ? { cursor } : {}), ...query } },
    });
    if (!data) throw new Error(describe(error, response));
    return data;
  });
}

/** Runs one section's read; a failure stays in that section, so the rest of the page still answers. */
function useLoaded<T>(read: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>(null);
  useEffect(() => {
    read().then(
      (items) => setState({ items }),
      (err: Error) => setState({ error: err.message }),
    );
  }, []);
  return state;
}

function Section<T>({
  id,
  title,
  state,
  children,
}: {
  id: string;
  title: string;
  state: Loaded<T[]>;
  children(items: T[]): ComponentChildren;
}) {
  return (
    <section aria-labelledby={id} class="panel" data-section={id}>
      <h2 id={id}>
        {title}
        {state && 'items' in state ? <span class="count"> ({state.items.length})</span> : null}
      </h2>
      {state === null ? <p role="status">Loading…</p> : 'error' in state ? <Alert message={state.error} /> : children(state.items)}
    </section>
  );
}

function ApplicationLinks({
  apps,
  titles,
  detail,
}: {
  apps: Application[];
  titles: Record<string, string>;
  detail(a: Application): string;
}) {
  if (apps.length === 0) return <p>Nothing here.</p>;
  return (
    <ul>
      {apps.map((a) => (
        <li key={a.id} data-application={a.id}>
          <Link to={`/applications/${a.id}`}>{candidateName(a)}</Link> · {titles[a.jobId] ?? `Job ${a.jobId}`} · {detail(a)}
        </li>
      ))}
    </ul>
  );
}

/**
 * What needs the signed-in staff member today: their jobs with running applications per stage,
 * applications waiting past their stage's SLA, the scorecards they owe, and the decisions waiting.
 */
export function StaffHomePage() {
  const { user } = useSession();
  const jobs = useLoaded(async () => {
    const { data, error, response } = await api.GET('/api/jobs', { params: { query: { limit: 100, mine: 'true' } } });
    if (!data) throw new Error(describe(error, response));
    return data.items;
  });
  const late = useLoaded(async () => overSla(await applications()));
  const owed = useLoaded(async () => {
    const { data, error, response } = await api.GET('/api/interviews', { params: { query: { mine: 'true' } } });
    if (!data) throw new Error(describe(error, response));
    return data.items.filter((i) => i.status !== 'cancelled' && Date.parse(i.endsAt) <= Date.now() && !submittedBy(i, user?.id));
  });
  const decisions = useLoaded(() => applications({ needsDecision: 'true' }));
  const titles = jobs && 'items' in jobs ? Object.fromEntries(jobs.items.map((j) => [j.id, j.title])) : {};

  return (
    <Layout title="Today">
      <div class="home">
        <Section<Job> id="my-jobs" title="My jobs" state={jobs}>
          {(items) =>
            items.length === 0 ? (
              <p>You are on no hiring team yet.</p>
            ) : (
              <ul class="cards">
                {items.map((job) => (
                  <li key={job.id} class="card" data-job={job.id}>
                    <h3>
                      <Link to={`/recruiter/jobs/${job.id}/board`}>{job.title}</Link>
                    </h3>
                    <p class="meta">
                      {job.company} · {job.status}
                    </p>
                    {job.counts === null ? <p>You interview candidates for it.</p> : <StageCounts job={job} />}
                  </li>
                ))}
              </ul>
            )
          }
        </Section>
        <Section<Application> id="over-sla" title="Waiting past their SLA" state={late}>
          {(items) => <ApplicationLinks apps={items} titles={titles} detail={(a) => `${a.stage} for ${waited(a)}`} />}
        </Section>
        <Section<Interview> id="owed" title="Scorecards I owe" state={owed}>
          {(items) =>
            items.length === 0 ? (
              <p>Nothing here.</p>
            ) : (
              <ul>
                {items.map((i) => (
                  <li key={i.id} data-interview={i.id}>
                    <Link to="/interviews">{i.title}</Link> · <When interview={i} />
                  </li>
                ))}
              </ul>
            )
          }
        </Section>
        <Section<Application> id="decisions" title="Decisions waiting" state={decisions}>
          {(items) => <ApplicationLinks apps={items} titles={titles} detail={(a) => a.stage} />}
        </Section>
      </div>
    </Layout>
  );
}

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { allPages, api, describe, type Application, type Interview, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { StageCounts } from '../components/stage-counts';
import { candidateName } from '../components/candidate-name';
import { waited, waitingPastSla, type Waiting } from '../components/sla';
import { submittedBy, When } from '../components/interview-list';

type Loaded<T> = { items: T } | { error: string } | null;

/** The applications waiting for a decision after their interviews, every page of them. */
function waitingForDecision(): Promise<Application[]> {
  return allPages(async (cursor) => {
    const { data, error, response } = await api.GET('/api/applications', {
      params: { query: { limit: 100, needsDecision: 'true', ...(cursor ? { cursor } : {}) } },
    });
    if (!data) throw new Error(describe(error, response));
    return data;
  });
}

/** The jobs whose hiring team the caller is on (admins: all), with their counts. */
async function myJobs(): Promise<Job[]> {
  const { data, error, response } = await api.GET('/api/jobs', { params: { query: { limit: 100, mine: 'true' } } });
  if (!data) throw new Error(describe(error, response));
  return data.items;
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
  const reading = useMemo(myJobs, []);
  const jobs = useLoaded(() => reading);
  const late = useLoaded(async () => waitingPastSla(await reading));
  const owed = useLoaded(async () => {
    const { data, error, response } = await api.GET('/api/interviews', { params: { query: { mine: 'true' } } });
    if (!data) throw new Error(describe(error, response));
    return data.items.filter((i) => i.status !== 'cancelled' && Date.parse(i.endsAt) <= Date.now() && !submittedBy(i, user?.id));
  });
  const decisions = useLoaded(waitingForDecision);
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
        <Section<Waiting> id="over-sla" title="Waiting past their SLA" state={late}>
          {(items) =>
            items.length === 0 ? (
              <p>Nothing here.</p>
            ) : (
              <ul>
                {items.map((w) => (
                  <li key={w.applicationId} data-application={w.applicationId}>
                    <Link to={`/applications/${w.applicationId}`}>{w.candidate.fullName ?? w.candidate.email}</Link> ·{' '}
                    {titles[w.jobId] ?? `Job ${w.jobId}`} · {w.stage} for {waited(w.seconds)}
                  </li>
                ))}
              </ul>
            )
          }
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

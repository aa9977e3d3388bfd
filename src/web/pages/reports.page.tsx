import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Funnel, type Job, type TimeInStage } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { BarChart } from '../components/bar-chart';

/** A duration for a reader: days from one day on, else hours (one decimal), else minutes. */
function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds >= 86_400) return `${(seconds / 86_400).toFixed(1)} days`;
  if (seconds >= 3_600) return `${(seconds / 3_600).toFixed(1)} hours`;
  return `${Math.round(seconds / 60)} min`;
}

type Wait = TimeInStage['items'][number];
const nameOf = (w: Wait) => w.candidate.fullName ?? w.candidate.email;
const percent = (conversion: number) => `${Math.round(conversion * 1000) / 10}%`;

/**
 * The funnel's `[from, to)` for a period of whole days, both ends included (UTC): the day after
 * `to` is where it stops. An empty date leaves that end open.
 */
function periodQuery(p: { from: string; to: string }): { from?: string; to?: string } {
  const day = (d: string, plus = 0) => new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86_400_000).toISOString();
  return { ...(p.from ? { from: day(p.from) } : {}), ...(p.to ? { to: day(p.to, 1) } : {}) };
}

/** How many of the longest waits the chart draws; the table lists them all. */
const LONGEST = 10;

/**
 * A job's hiring reports for its team and admins: the funnel by stage kind (so versions with other
 * stage ids add up) and the time applications spend in each kind, each as a chart with its numbers in
 * a table, and the applications waiting longest, those past their stage's SLA marked.
 */
export function ReportsPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [funnel, setFunnel] = useState<Funnel | null>(null);
  const [waits, setWaits] = useState<TimeInStage['items'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The funnel's period, as the form holds it (dates, both optional) and as it was last asked for.
  const [period, setPeriod] = useState({ from: '', to: '' });
  const [asked, setAsked] = useState({ from: '', to: '' });

  useEffect(() => {
    void api.GET('/api/reports/funnel', { params: { query: { jobId, ...periodQuery(asked) } } }).then(({ data, error, response }) => {
      setFunnel(data ?? null);
      if (!data) setError(describe(error, response));
    });
  }, [jobId, asked]);

  useEffect(() => {
    void api.GET('/api/jobs/{id}', { params: { path: { id: jobId } } }).then(({ data }) => setJob(data ?? null));
    void api.GET('/api/reports/time-in-stage', { params: { query: { jobId } } }).then(({ data, error, response }) => {
      setWaits(data?.items ?? null);
      if (!data) setError(describe(error, response));
    });
  }, [jobId]);

  return (
    <Layout title={job ? `Reports: ${job.title}` : 'Reports'}>
      <p>
        <Link to={`/recruiter/jobs/${jobId}/board`}>Board</Link> ·{' '}
        <Link to={`/recruiter/jobs/${jobId}/pipeline`}>Pipeline and versions</Link>
      </p>
      <form
        class="filters"
        aria-label="Period of the funnel"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ ...period });
        }}
      >
        <label>
          Applied from{' '}
          <input type="date" name="from" value={period.from} onInput={(e) => setPeriod({ ...period, from: e.currentTarget.value })} />
        </label>
        <label>
          through <input type="date" name="to" value={period.to} onInput={(e) => setPeriod({ ...period, to: e.currentTarget.value })} />
        </label>
        <button type="submit">Show</button>
      </form>
      <Alert message={error} />
      {funnel ? <FunnelReport funnel={funnel} /> : null}
      {waits ? <Waits waits={waits} /> : null}
      {!funnel && !waits && !error ? <p role="status">Loading…</p> : null}
    </Layout>
  );
}

function FunnelReport({ funnel }: { funnel: Funnel }) {
  return (
    <>
      <section class="panel report" aria-labelledby="funnel" data-report="funnel">
        <h2 id="funnel">Funnel</h2>
        <p>
          Hires: <strong data-hires>{funnel.hires}</strong> · median time to hire:{' '}
          <strong data-median-days>{funnel.medianDaysToHire === null ? '—' : `${funnel.medianDaysToHire} days`}</strong>
        </p>
        <BarChart
          id="funnel-chart"
          title="Applications that entered each stage kind"
          bars={funnel.stages.map((s) => ({ label: s.kind, value: s.entered, text: `${s.entered} entered, ${percent(s.conversion)} on` }))}
        />
        <div class="table-wrap">
          <table>
            <caption>Funnel by stage kind</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Stages</th>
                <th scope="col">Entered</th>
                <th scope="col">Current</th>
                <th scope="col">Advanced</th>
                <th scope="col">Rejected</th>
                <th scope="col">Conversion</th>
              </tr>
            </thead>
            <tbody>
              {funnel.stages.map((s) => (
                <tr key={s.kind} data-kind={s.kind}>
                  <th scope="row">{s.kind}</th>
                  <td>{s.stageIds.join(', ')}</td>
                  <td>{s.entered}</td>
                  <td>{s.current}</td>
                  <td>{s.advanced}</td>
                  <td>{s.rejected}</td>
                  <td>{percent(s.conversion)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="panel report" aria-labelledby="time" data-report="time-in-stage">
        <h2 id="time">Time in stage</h2>
        <BarChart
          id="time-chart"
          title="Median and 90th percentile time in each stage kind"
          bars={funnel.stages.flatMap((s) => [
            { label: `${s.kind} p50`, value: s.timeInStage.p50Seconds ?? 0, text: duration(s.timeInStage.p50Seconds), className: 'p50' },
            { label: `${s.kind} p90`, value: s.timeInStage.p90Seconds ?? 0, text: duration(s.timeInStage.p90Seconds), className: 'p90' },
          ])}
        />
        <div class="table-wrap">
          <table>
            <caption>Time in stage by kind</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Median (p50)</th>
                <th scope="col">90th percentile (p90)</th>
              </tr>
            </thead>
            <tbody>
              {funnel.stages.map((s) => (
                <tr key={s.kind} data-kind={s.kind}>
                  <th scope="row">{s.kind}</th>
                  <td>{duration(s.timeInStage.p50Seconds)}</td>
                  <td>{duration(s.timeInStage.p90Seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function Waits({ waits }: { waits: TimeInStage['items'] }) {
  return (
    <section class="panel report" aria-labelledby="waits" data-report="waits">
      <h2 id="waits">Waiting longest</h2>
      {waits.length === 0 ? (
        <p>No running application is waiting.</p>
      ) : (
        <>
          <BarChart
            id="waits-chart"
            title={`The ${Math.min(LONGEST, waits.length)} applications waiting longest in their stage; those past its SLA are marked`}
            bars={waits.slice(0, LONGEST).map((w) => ({
              label: nameOf(w),
              value: w.seconds,
              text: `${duration(w.seconds)} in ${w.stage}${w.overSla ? ' · over SLA' : ''}`,
              className: w.overSla ? 'over-sla' : undefined,
            }))}
          />
          <div class="table-wrap">
            <table>
              <caption>Applications by time in their stage</caption>
              <thead>
                <tr>
                  <th scope="col">Candidate</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Since</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">SLA</th>
                </tr>
              </thead>
              <tbody>
                {waits.map((w) => (
                  <tr key={w.applicationId} data-application={w.applicationId} class={w.overSla ? 'over-sla' : undefined}>
                    <th scope="row">
                      <Link to={`/applications/${w.applicationId}`}>{nameOf(w)}</Link>
                    </th>
                    <td>{w.stage}</td>
                    <td>{new Date(w.since).toLocaleString()}</td>
                    <td>{duration(w.seconds)}</td>
                    <td>{w.overSla ? <strong class="badge">over SLA</strong> : 'within'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

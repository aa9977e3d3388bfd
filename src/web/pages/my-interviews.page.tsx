import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Application, type Interview, type Scorecard } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { useSession } from '../components/session';
import { candidateName } from '../components/candidate-name';
import { submittedBy, When } from '../components/interview-list';
import { ScorecardForm } from '../components/scorecard-form';
import { ScorecardList } from '../components/scorecard-list';

/** An interview as staff read it: always with its application. */
type StaffInterview = Interview & { applicationId: string };
const isStaffView = (i: Interview): i is StaffInterview => i.applicationId !== undefined;

/**
 * The scorecard of one interview: closed until it starts; the form until the caller's is in, then
 * everyone's scorecards for the application, and the form again to replace theirs.
 */
function ScorecardPart({ interview, mine, onSubmitted }: { interview: StaffInterview; mine: boolean; onSubmitted(): void }) {
  const { user } = useSession();
  const [editing, setEditing] = useState(false);
  const [previous, setPrevious] = useState<Scorecard | undefined>();
  const [version, setVersion] = useState(0);
  const change = async () => {
    const { data } = await api.GET('/api/applications/{id}/scorecards', { params: { path: { id: interview.applicationId } } });
    setPrevious(data?.items.find((c) => c.interviewId === interview.id && c.author.id === user?.id));
    setEditing(true);
  };
  if (interview.status === 'cancelled') return null;
  if (Date.parse(interview.startsAt) > Date.now()) return <p class="hint">The scorecard opens when the interview starts.</p>;
  return (
    <>
      {mine && !editing ? (
        <p class="actions">
          <span class="alert alert-info" role="status">
            Your scorecard is in.
          </span>
          <button type="button" onClick={() => void change()}>
            Change your scorecard<span class="visually-hidden"> for {interview.title}</span>
          </button>
        </p>
      ) : (
        <ScorecardForm
          interview={interview}
          previous={previous}
          onSubmitted={() => {
            setEditing(false);
            setVersion((v) => v + 1);
            onSubmitted();
          }}
        />
      )}
      {mine ? <ScorecardList applicationId={interview.applicationId} version={version} /> : null}
    </>
  );
}

/**
 * The caller's interviews, upcoming first, each with its candidate; from its start, the scorecard
 * form, and once theirs is in, everyone's scorecards for that application.
 */
export function MyInterviewsPage() {
  const { user } = useSession();
  const [interviews, setInterviews] = useState<StaffInterview[] | null>(null);
  const [apps, setApps] = useState<Record<string, Application>>({});
  const [sent, setSent] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/interviews', { params: { query: { mine: 'true' } } });
    if (!data) return setError(describe(error, response));
    const items = data.items.filter(isStaffView);
    const ids = [...new Set(items.map((i) => i.applicationId))];
    const read = await Promise.all(ids.map((id) => api.GET('/api/applications/{id}', { params: { path: { id } } })));
    setApps(Object.fromEntries(read.flatMap(({ data }) => (data ? [[data.id, data]] : []))));
    setInterviews(items);
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <Layout title="My interviews">
      <Alert message={error} />
      {interviews === null ? (
        <p role="status">Loading…</p>
      ) : interviews.length === 0 ? (
        <p>You have no interviews.</p>
      ) : (
        <ul class="interviews" aria-label="Interviews">
          {interviews.map((interview) => {
            const app = apps[interview.applicationId];
            return (
              <li key={interview.id} class="card" data-interview={interview.id}>
                <h2>
                  {interview.title}
                  {app ? ` with ${candidateName(app)}` : ''}
                </h2>
                <p class="meta">
                  <When interview={interview} />
                  {interview.location ? ` · ${interview.location}` : ''} ·{' '}
                  <strong data-testid="interview-status">{interview.status.replace('_', ' ')}</strong>
                </p>
                <p>
                  <Link to={`/applications/${interview.applicationId}`}>
                    Application<span class="visually-hidden"> of {app ? candidateName(app) : interview.applicationId}</span>
                  </Link>
                </p>
                <ScorecardPart
                  interview={interview}
                  mine={submittedBy(interview, user?.id) || sent.includes(interview.id)}
                  onSubmitted={() => {
                    setSent((ids) => [...ids, interview.id]);
                    void load();
                  }}
                />
              </li>
            );
          })}
        </ul>
      )}
    </Layout>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Application, type Job } from '../api/client';
import { Layout } from '../components/layout';
import { Link } from '../components/link';
import { Alert } from '../components/alert';
import { HistoryList } from '../components/history-list';
import { candidateName } from '../components/candidate-name';
import { judges, runs, useJobRole } from '../components/job-role';
import { NotesPanel } from '../components/notes-panel';
import { InterviewsPanel } from '../components/interviews-panel';
import { EvaluationSummary } from '../components/evaluation-summary';
import { ScorecardList } from '../components/scorecard-list';
import { isFinal, usePinnedStages } from '../components/pinned-pipeline';
import { StageUndo } from '../components/stage-undo';
import { ReasonField } from '../components/reason-field';

/**
 * One application for its hiring team: what the candidate sent, its history, the evaluation, the
 * interviews, scorecards and notes; scheduling, rejection, moves back and reopening for those who run the
 * job, within the pipeline version the application is pinned to.
 */
export function ApplicationPage({ id }: { id: string }) {
  const [app, setApp] = useState<Application | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [teamVersion, setTeamVersion] = useState(0);
  const { role, team } = useJobRole(app?.jobId, teamVersion);
  const stages = usePinnedStages(app);
  /** Until its pinned pipeline is read, nothing is offered that a final stage would refuse. */
  const final = !app || !stages || isFinal(stages, app.stage);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/applications/{id}', { params: { path: { id } } });
    setApp(data ?? null);
    setError(data ? null : describe(error, response));
    if (data) void api.GET('/api/jobs/{id}', { params: { path: { id: data.jobId } } }).then((r) => setJob(r.data ?? null));
  };
  useEffect(() => {
    void load();
  }, [id]);

  const reject = async (e: Event) => {
    e.preventDefault();
    if (!app) return;
    const { data, error, response } = await api.PATCH('/api/applications/{id}/stage', {
      params: { path: { id } },
      body: { stage: 'rejected', fromStage: app.stage, reason },
    });
    if (data) {
      setApp(data);
      setReason('');
      setError(null);
    } else {
      setError(describe(error, response));
      await load();
    }
  };

  return (
    <Layout title={app ? `Application of ${candidateName(app)}` : 'Application'}>
      <Alert message={error} />
      {app ? (
        <>
          <p>
            {job ? (
              <Link to={`/recruiter/jobs/${job.id}/board`}>
                {job.title} · {job.company}
              </Link>
            ) : (
              `Job ${app.jobId}`
            )}{' '}
            · {candidateName(app)}
            {app.candidate?.fullName ? ` (${app.candidate.email})` : ''} · stage{' '}
            <strong class={`stage stage-${app.stage}`}>{app.stage}</strong>
          </p>
          <p>
            <a href={app.workflowUrl} target="_blank" rel="noopener noreferrer">
              Workflow in the Temporal Web UI<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
          <section aria-labelledby="sent">
            <h2 id="sent">What the candidate sent</h2>
            <p>
              Résumé:{' '}
              {app.resumeUrl ? (
                <a href={app.resumeUrl} rel="noopener noreferrer" target="_blank">
                  {app.resumeUrl}
                </a>
              ) : (
                'none'
              )}
            </p>
            <p class="description">{app.coverLetter ?? 'No cover letter.'}</p>
          </section>
          <section aria-labelledby="hist">
            <h2 id="hist">History</h2>
            <HistoryList history={app.history} />
          </section>
          {app.evaluation ? <EvaluationSummary evaluation={app.evaluation} /> : null}
          {!role ? null : (
            <>
              <InterviewsPanel
                applicationId={app.id}
                team={team}
                schedules={runs(role) && !final}
                onChanged={() => {
                  void load();
                  setTeamVersion((v) => v + 1);
                }}
              />
              {judges(role) || app.evaluation ? <ScorecardList applicationId={app.id} /> : null}
              <NotesPanel applicationId={app.id} />
            </>
          )}
          {runs(role) && stages ? <StageUndo app={app} stages={stages} onDone={setApp} /> : null}
          {!runs(role) || final ? null : (
            <form class="stack narrow" onSubmit={reject}>
              <h2>Reject</h2>
              <ReasonField label="Reason" id="reject-reason-seen" rows={3} value={reason} onChange={setReason} />
              <button type="submit" class="danger">
                Reject application
              </button>
            </form>
          )}
        </>
      ) : null}
    </Layout>
  );
}

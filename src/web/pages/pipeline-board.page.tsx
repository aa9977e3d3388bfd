import { useEffect, useState } from 'preact/hooks';
import { allPages, api, describe, type Application, type Job, type PipelineStage, type Problem, type Stage } from '../api/client';
import { Layout } from '../components/layout';
import { Alert } from '../components/alert';
import { Link } from '../components/link';
import { CARD_DRAG_TYPE, PipelineCard } from '../components/pipeline-card';
import { runs, useJobRole } from '../components/job-role';
import { boardColumns, DEFAULT_STAGES } from '../components/board-columns';
import { HiringTeam } from '../components/hiring-team';

/** Why the API refused a move, in words, from its 409 problem. */
function explain(problem: Problem | undefined, from: Stage, to: Stage, fallback: string): string {
  if (problem?.code === 'invalid_transition') {
    const allowed = problem.allowed ?? [];
    return `Cannot move from ${from} to ${to}: ${allowed.length ? `from ${from} it may move to ${allowed.join(', ')}` : `${from} is final`}.`;
  }
  if (problem?.code === 'reason_required') {
    return `Moving back to ${to} needs a reason: give it under “Move back” on the application’s page.`;
  }
  if (problem?.code === 'stage_changed') {
    return `Not moved: someone else moved it to ${problem.current ?? 'another stage'} meanwhile. The board now shows the current stages.`;
  }
  return fallback;
}

/**
 * One job's pipeline: a column per stage, a card per application; moves (by key, by select, or by
 * dragging a card onto a column) send the stage they start from. Only the job's recruiters and admins
 * get the controls, and add people to its hiring team; "Needs decision" narrows it to the applications
 * whose interviews are all in.
 */
export function PipelineBoardPage({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [apps, setApps] = useState<Application[] | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [needsDecision, setNeedsDecision] = useState(false);
  const [dropTarget, setDropTarget] = useState<Stage | null>(null);
  const [stages, setStages] = useState<PipelineStage[] | null>(null);
  const [teamVersion, setTeamVersion] = useState(0);
  const { role, team } = useJobRole(jobId, teamVersion);
  const movable = runs(role);

  const load = async (focusId?: string) => {
    try {
      const items = await allPages(async (cursor) => {
        const { data, error, response } = await api.GET('/api/applications', {
          params: {
            query: { jobId, limit: 100, ...(cursor ? { cursor } : {}), ...(needsDecision ? { needsDecision: 'true' as const } : {}) },
          },
        });
        if (!data) throw new Error(describe(error, response));
        return data;
      });
      setApps(items);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
    if (focusId) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-card="${CSS.escape(focusId)}"]`)?.focus());
  };
  useEffect(() => {
    void api.GET('/api/jobs/{id}', { params: { path: { id: jobId } } }).then(({ data, error, response }) => {
      setJob(data ?? null);
      if (!data) setError(describe(error, response));
    });
    void api
      .GET('/api/jobs/{id}/pipeline', { params: { path: { id: jobId } } })
      .then(({ data }) => setStages(data?.stages ?? DEFAULT_STAGES));
  }, [jobId]);
  useEffect(() => {
    void load();
  }, [jobId, needsDecision]);

  const move = async (app: Application, to: Stage) => {
    const { data, error, response } = await api.PATCH('/api/applications/{id}/stage', {
      params: { path: { id: app.id } },
      body: { stage: to, fromStage: app.stage },
    });
    const note = data
      ? `Moved from ${app.stage} to ${to}.`
      : explain(error as Problem | undefined, app.stage, to, describe(error, response));
    setNotes((n) => ({ ...n, [app.id]: note }));
    await load(app.id);
  };
  const drop = (stage: Stage) => (e: DragEvent) => {
    e.preventDefault();
    setDropTarget(null);
    const app = apps?.find((a) => a.id === e.dataTransfer?.getData(CARD_DRAG_TYPE));
    if (app && app.stage !== stage) void move(app, stage);
  };
  const dragOver = (stage: Stage) => (e: DragEvent) => {
    if (!movable || !e.dataTransfer?.types.includes(CARD_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (dropTarget !== stage) setDropTarget(stage);
  };

  return (
    <Layout title={job ? `Pipeline: ${job.title}` : 'Pipeline'}>
      <p>
        <Link to={`/recruiter/jobs/${jobId}/pipeline`}>Pipeline and versions</Link> ·{' '}
        <Link to={`/recruiter/jobs/${jobId}/reports`}>Reports</Link>
      </p>
      <Alert message={error} />
      {movable ? (
        <p class="hint" id="board-keys">
          Focus a card and press → to move it to the next stage, choose a stage under “Move to”, or drag it onto another column.
        </p>
      ) : null}
      <label class="inline">
        <input type="checkbox" checked={needsDecision} onChange={(e) => setNeedsDecision(e.currentTarget.checked)} /> Needs decision
      </label>
      {apps === null || stages === null ? <p role="status">Loading…</p> : board(apps, stages)}
      {role ? (
        <HiringTeam jobId={jobId} createdBy={job?.createdBy} team={team} manages={movable} onChanged={() => setTeamVersion((v) => v + 1)} />
      ) : null}
    </Layout>
  );

  /** The columns and their cards; a plain call, not a component, so a render keeps the cards (and the focus) in place. */
  function board(apps: Application[], stages: PipelineStage[]) {
    const columns = boardColumns(stages, apps);
    return (
      <div class="board" style={{ '--columns': String(columns.length) }}>
        {columns.map(({ id: stage, name }) => {
          const column = apps.filter((a) => a.stage === stage);
          return (
            <section
              key={stage}
              class={dropTarget === stage ? 'column drop-target' : 'column'}
              aria-labelledby={`col-${stage}`}
              data-stage={stage}
              onDragOver={dragOver(stage)}
              onDragLeave={() => setDropTarget(null)}
              onDrop={drop(stage)}
            >
              <h2 id={`col-${stage}`}>
                {name} <span class="count">({column.length})</span>
              </h2>
              <ul>
                {column.map((app) => (
                  <PipelineCard
                    key={app.id}
                    app={app}
                    columns={columns}
                    note={notes[app.id]}
                    movable={movable}
                    onMove={(to) => move(app, to)}
                  />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    );
  }
}

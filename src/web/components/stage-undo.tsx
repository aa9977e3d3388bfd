import { useState } from 'preact/hooks';
import { api, describe, type Application, type PipelineStage } from '../api/client';
import { Alert } from './alert';
import { ReasonField } from './reason-field';
import { isFinal } from './pinned-pipeline';

/**
 * A rejection staff made (a candidate's withdrawal, an expired offer or an erasure is the system's or
 * the candidate's, and stays closed), so the API may reopen it; the window it allows is its to judge.
 */
export function reopenable(app: Application): boolean {
  if (app.stage !== 'rejected') return false;
  const last = app.history[app.history.length - 1];
  const byStaff = last?.by && last.by !== 'system' && last.by !== String(app.candidateId);
  return Boolean(last && last.to === 'rejected' && byStaff && last.reason !== 'withdrawn');
}

/**
 * "Move back" to an earlier stage of the application's pinned pipeline, or "Reopen" a rejection into
 * any non-final stage of it; either needs a reason, which its history keeps.
 */
export function StageUndo({ app, stages, onDone }: { app: Application; stages: PipelineStage[]; onDone(app: Application): void }) {
  const reopen = app.stage === 'rejected';
  const here = stages.findIndex((s) => s.id === app.stage);
  const targets = reopen ? stages.filter((s) => !isFinal(stages, s.id)) : here > 0 ? stages.slice(0, here) : [];
  const [stage, setStage] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!targets.length || (reopen && !reopenable(app))) return null;
  const chosen = targets.some((s) => s.id === stage) ? stage : targets[targets.length - 1].id;
  const title = reopen ? 'Reopen' : 'Move back';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const { data, error, response } = reopen
      ? await api.POST('/api/applications/{id}/reopen', { params: { path: { id: app.id } }, body: { stage: chosen, reason } })
      : await api.PATCH('/api/applications/{id}/stage', {
          params: { path: { id: app.id } },
          body: { stage: chosen, reason, fromStage: app.stage },
        });
    setBusy(false);
    if (!data) return setError(describe(error, response));
    setError(null);
    setReason('');
    setStage('');
    onDone(data);
  };

  return (
    <form class="stack narrow panel" onSubmit={submit} aria-labelledby={`undo-${app.id}`}>
      <h2 id={`undo-${app.id}`}>{title}</h2>
      <Alert message={error} />
      <label>
        {reopen ? 'Into stage' : 'Back to stage'}
        <select value={chosen} onChange={(e) => setStage(e.currentTarget.value)}>
          {targets.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <ReasonField
        label={reopen ? 'Why reopen it' : 'Why move it back'}
        id="undo-reason-seen"
        rows={2}
        value={reason}
        onChange={setReason}
      />
      <button type="submit" disabled={busy}>
        {reopen ? 'Reopen application' : 'Move back'}
      </button>
    </form>
  );
}

import { useState } from 'preact/hooks';
import type { Application, Stage } from '../api/client';
import { Link } from './link';
import { candidateName } from './candidate-name';
import type { Column } from './board-columns';

/** The drag's payload type: a card dropped on a column names its application by id. */
export const CARD_DRAG_TYPE = 'application/x-ats-application';

/**
 * A card on the board; → moves it one stage forward, the select moves it anywhere, and it can be
 * dragged onto another column (the API says if it may). Without `movable` (a hiring manager or an
 * interviewer) it only links the application.
 */
export function PipelineCard({
  app,
  columns,
  note,
  movable,
  onMove,
}: {
  app: Application;
  /** The board's columns, in order: where → and "Move to" lead. */
  columns: Column[];
  note?: string;
  movable: boolean;
  onMove(to: Stage): Promise<void>;
}) {
  const here = columns.findIndex((c) => c.id === app.stage);
  const final = columns[here]?.final ?? false;
  const [target, setTarget] = useState<Stage | ''>('');
  const [busy, setBusy] = useState(false);
  const label = candidateName(app);
  const run = async (to: Stage) => {
    setBusy(true);
    await onMove(to);
    setBusy(false);
    setTarget('');
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!movable || e.target !== e.currentTarget || e.key !== 'ArrowRight' || busy) return;
    const next = columns[here + 1];
    if (!final && next && next.id !== 'rejected') {
      e.preventDefault();
      void run(next.id);
    }
  };
  return (
    <li
      class="pipeline-card card"
      tabIndex={0}
      data-card={app.id}
      aria-label={`${label}, ${app.stage}`}
      aria-describedby={movable ? 'board-keys' : undefined}
      aria-busy={busy}
      onKeyDown={onKeyDown}
      draggable={movable && !final}
      onDragStart={(e) => {
        e.dataTransfer?.setData(CARD_DRAG_TYPE, app.id);
        e.dataTransfer?.setData('text/plain', label);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <h3>
        <Link to={`/applications/${app.id}`}>{label}</Link>
      </h3>
      <p class="meta">
        Applied <time dateTime={app.createdAt}>{new Date(app.createdAt).toLocaleDateString()}</time>
      </p>
      {app.evaluation?.needsDecision ? <p class="badge">Needs decision</p> : null}
      {!movable || final ? null : (
        <form
          class="move"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) void run(target);
          }}
        >
          <label>
            Move to
            <select value={target} onChange={(e) => setTarget(e.currentTarget.value as Stage)}>
              <option value="">Choose a stage</option>
              {columns
                .filter((c) => c.id !== app.stage)
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
            </select>
          </label>
          <button type="submit" disabled={!target || busy}>
            Move
          </button>
        </form>
      )}
      {note ? (
        <p class="note" role="alert">
          {note}
        </p>
      ) : null}
    </li>
  );
}

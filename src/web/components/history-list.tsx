import type { StageChange } from '../api/client';

/**
 * An application's history, oldest first: who moved it (by name; an id only for an account without one),
 * when, and why; a migration's entry says which pipeline versions it moved between.
 */
export function HistoryList({ history, me }: { history: StageChange[]; me?: string }) {
  return (
    <ol class="history">
      {history.map((h) => (
        <li key={h.at + h.to}>
          <span class="stage-name">{h.from ? `${h.from} → ${h.to}` : h.to}</span>{' '}
          <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time>
          {h.by ? <span> by {h.by === me ? 'you' : (h.byName ?? (h.by === 'system' ? 'the system' : `user ${h.by}`))}</span> : null}
          {h.reason ? <span> — {h.reason}</span> : null}
          {h.migration ? (
            <span class="migrated">
              {' '}
              (migrated from pipeline version {h.migration.fromVersion} to {h.migration.toVersion})
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

import type { NotificationEvent } from '../domain/notifications';
import { findApplication } from './application-repository';
import { viewFromRecord, type UiLink } from './application-view';
import type { WebhookEvent } from '../webhooks/webhook-events';
import type { WebhookEmission } from '../webhooks/webhook-emitter';

/** The webhook event of a recorded transition, if it has one (reminders have none). */
function eventOf(n: NotificationEvent): WebhookEvent | null {
  if (n.kind === 'application_received') return 'application.created';
  if (n.kind === 'pipeline_migrated') return 'application.migrated';
  if (n.kind === 'stage_changed') return n.from === 'rejected' ? 'application.reopened' : 'application.stage_changed';
  if (n.kind === 'final_outcome' || n.kind === 'offer_expired') {
    if ((n.toKind ?? n.to) === 'hired') return 'application.hired';
    return n.reason === 'withdrawn' ? 'application.withdrawn' : 'application.rejected';
  }
  return null;
}

/**
 * The webhook emissions of recorded transitions. `data` is the application as the API shows it, as
 * of that transition: history up to its seq (SQL may already hold later ones), read in the
 * transaction that records it. Keyed by (application, seq, event), so a retried recording emits
 * nothing twice.
 */
export function applicationEmissions(ui: UiLink, events: readonly NotificationEvent[]): WebhookEmission[] {
  return events.flatMap((n): WebhookEmission[] => {
    const type = eventOf(n);
    if (!type) return [];
    return [
      {
        event: type,
        sourceKey: `${n.applicationId}.${n.seq}`,
        subject: n.applicationId,
        // The application is read only when someone subscribes to the event.
        async payload(em) {
          const record = await findApplication(em, n.applicationId);
          // The projection refused the row (see recording-failures): there is nothing to show.
          if (!record) return null;
          const history = record.history.filter((h) => h.seq <= n.seq);
          const view = viewFromRecord({ ...record, history, stage: n.to, updatedAt: n.at }, ui);
          return { type, timestamp: n.at, data: view };
        },
      },
    ];
  });
}

import type { ActivityOptions } from '@temporalio/workflow';

/**
 * How the workflows run the activities that record what happened (SQL, the outbox, the queue): each
 * idempotent, retried through an outage (Redis down, SQL busy), never waiting more than a few
 * seconds between attempts. The schedule-to-close bound only stops attempts that never get to decide
 * (hung until timed out). The activities heartbeat while they run (activities/kept-alive.ts), so a
 * worker that dies holding one is noticed within the heartbeat timeout (longer than SQLite's 5 s busy
 * timeout, during which no heartbeat can go out) rather than the start-to-close one.
 */
export const RECORDING_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '75m',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
};

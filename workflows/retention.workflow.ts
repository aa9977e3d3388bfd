import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention.activities';

const { eraseExpiredApplications } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** One retention pass, started by the retention Schedule (see src/privacy/retention-schedule.ts). */
export async function retentionWorkflow(): Promise<{ applications: number; keys: number }> {
  return eraseExpiredApplications();
}

import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** One schedule per task queue, so systems sharing a Temporal namespace keep their own. */
export const retentionScheduleId = (config: Config) => `retention-${config.temporal.taskQueue}`;

/**
 * With RETENTION_DAYS set, a Temporal Schedule runs the retention workflow once a day; without it,
 * the schedule is removed. Run at API start-up; any number of API processes agree on the result.
 */
export async function ensureRetentionSchedule(client: Client, config: Config, logger: Logger): Promise<void> {
  const scheduleId = retentionScheduleId(config);
  const handle = client.schedule.getHandle(scheduleId);
  if (!config.retentionDays) {
    await handle.delete().catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    return;
  }
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 day' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionWorkflow',
        taskQueue: config.temporal.taskQueue,
        workflowId: `${scheduleId}-run`,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ scheduleId, retentionDays: config.retentionDays }, 'retention schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}

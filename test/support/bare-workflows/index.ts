import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The yardstick for the application workflow's message costs: a workflow whose update does nothing
 * at all. Its update latency and update-with-start throughput are what the server and SDK cost alone.
 */
export const pingUpdate = defineUpdate<number>('ping');

export async function bareWorkflow(): Promise<void> {
  let pings = 0;
  setHandler(pingUpdate, () => ++pings);
  await condition(() => pings < 0);
}

import type { Middleware } from 'koa';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';

/**
 * The bull-board dashboard as Koa middleware mounted at `basePath`. It authenticates nobody: the
 * caller puts it behind the admin check. Admins may retry and clean jobs from it; retrying a job that
 * was already delivered is safe, the notifier's ledger turns it into a no-op.
 */
export function createQueueDashboard(queues: Queue[], basePath: string): Middleware {
  const serverAdapter = new KoaAdapter().setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'ATS queues' } },
  });
  return serverAdapter.registerPlugin() as Middleware;
}

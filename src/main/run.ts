import type { Logger } from '../logger';

/** Runs a process entry point, printing a configuration or start-up failure plainly and exiting 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: Error) => {
    process.stderr.write(`${name}: ${err.name === 'ConfigError' ? err.message : (err.stack ?? err.message)}\n`);
    process.exit(1);
  });
}

/**
 * After SIGTERM a process is gone within this time, whatever it waits on: orchestrators SIGKILL
 * after 10 s, and a close that waits on an unreachable Redis, Temporal or database never returns.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/** True when the promise settles within `ms` (a rejection counts as settled); false when it is still pending. */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/**
 * Closes cleanly on SIGINT/SIGTERM; a second signal exits at once, and so does the deadline when
 * the close has not finished by then (work cut off is retried: activities and jobs are idempotent).
 */
export function onShutdown(logger: Logger, close: () => Promise<void>, deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting with connections still open');
      process.exit(1);
    }, deadlineMs).unref();
    close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

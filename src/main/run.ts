import type { Logger } from '../logger';

/** Runs a process entry point, printing a configuration or start-up failure plainly and exiting 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: Error) => {
    process.stderr.write(`${name}: ${err.name === 'ConfigError' ? err.message : err.stack ?? err.message}\n`);
    process.exit(1);
  });
}

/** Closes cleanly on SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
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

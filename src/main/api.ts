import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createServices } from './services';
import { createApp } from '../http/app';
import { answerClientErrors } from '../http/client-errors';
import { createMetricsListener } from '../http/metrics-listener';
import { AdminRefusedError, ensureAdmin } from '../accounts/admin';
import { ensureRetentionSchedule } from '../privacy/retention-schedule';
import { startTransitionSweeper } from '../applications/transition-recording';
import { onShutdown, runMain, within } from './run';
import { startTracing } from './tracing';

/** The API process: stateless, run as many as the load needs behind a load balancer. */
runMain('api', async () => {
  const config = loadConfig();
  const tracing = startTracing(config, 'api');
  const logger = createLogger(config.logLevel, 'api');
  const services = await createServices(config, logger);
  if (config.admin) {
    // A refused takeover is the operator's to resolve (create-admin --reset-password); the API still serves.
    await ensureAdmin(services, config.admin.email, config.admin.password).catch((err: unknown) => {
      if (!(err instanceof AdminRefusedError)) throw err;
      logger.warn({ email: config.admin!.email }, err.message);
    });
  }
  // In the background: the API serves while Temporal is away, and the schedule only needs to exist eventually.
  ensureRetentionSchedule(services.temporal, config, logger).catch((err: Error) =>
    logger.warn({ err: err.message }, 'the retention schedule could not be set up; it is retried at the next start'),
  );
  // Every API process sweeps: the changes a request (perhaps another process's) left unrecorded.
  const stopSweeper = startTransitionSweeper(services, logger, {
    intervalMs: config.transitions.sweepMs,
    graceMs: config.transitions.sweepGraceMs,
  });
  const server = answerClientErrors(
    createApp(services).listen(config.port, () =>
      logger.info({ port: config.port }, `API listening on http://localhost:${config.port} (docs at /docs)`),
    ),
  );
  const { port: metricsPort, host: metricsHost } = config.metrics;
  const metricsServer =
    metricsPort === undefined
      ? undefined
      : createMetricsListener(services.metrics).listen(metricsPort, metricsHost, () =>
          logger.info(
            { port: metricsPort, host: metricsHost },
            `metrics listening on http://${metricsHost.includes(':') ? `[${metricsHost}]` : metricsHost}:${metricsPort}/metrics`,
          ),
        );
  onShutdown(logger, async () => {
    stopSweeper();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight get a few seconds (one waiting on an unreachable Temporal would not end).
    if (!(await within(closed, 4_000))) server.closeAllConnections();
    await within(services.close(), 2_000);
    if (tracing) await within(tracing.shutdown(), 1_000);
  });
});

import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import cors from '@koa/cors';
import helmet from 'koa-helmet';
import { RequestContext } from '@mikro-orm/core';
import type { Services } from '../services';
import { createRegistry, generateDocument } from './openapi';
import { requestId } from './middleware/request-id';
import { requestSpan } from './middleware/request-span';
import { errorHandler } from './middleware/error-handler';
import { trailingSlash } from './middleware/trailing-slash';
import { methodNotAllowed } from './middleware/method-not-allowed';
import { authenticateBeforeBody, largeBodyGate, LARGE_BODY_GATE } from './middleware/large-body-gate';
import { indexRoutes } from './routes/index.routes';
import { companyRoutes } from './routes/companies.routes';
import { healthRoutes } from './routes/health.routes';
import { docsRoutes } from './routes/docs.routes';
import { authRoutes } from './routes/auth.routes';
import { userRoutes } from './routes/users.routes';
import { jobRoutes } from './routes/jobs.routes';
import { applicationRoutes } from './routes/applications.routes';
import { candidateRoutes } from './routes/candidates.routes';
import { teamRoutes } from './routes/teams.routes';
import { pipelineRoutes } from './routes/pipelines.routes';
import { reportRoutes } from './routes/reports.routes';
import { noteRoutes } from './routes/notes.routes';
import { interviewRoutes } from './routes/interviews.routes';
import { adminRoutes } from './routes/admin.routes';
import { codecCors, codecRoutes } from './routes/codec.routes';
import { privacyRoutes } from './routes/privacy.routes';
import { postmanRoutes } from './routes/postman.routes';
import { webhookRoutes } from './routes/webhooks.routes';
import { registerWebhookEvents } from './webhook-events.openapi';
import { webRoutes } from './routes/web.routes';

const ONE_MIB = '1mb';

/** Builds the Koa application; only the entry point listens. */
export function createApp(services: Services): Koa {
  // X-Forwarded-For is trusted only when configured, and then only the hop our own proxy appended:
  // a client cannot pick the address that log-in throttling counts against.
  const app = new Koa({ proxy: services.config.trustProxy, maxIpsCount: 1 });
  const { logger, metrics } = services;

  // Errors once the answer is out, such as a client dropping a body it was still sending after a 401:
  // nothing is left to answer, and a flood of them must not fill the error log.
  app.on('error', (err: NodeJS.ErrnoException & { expose?: boolean }) => {
    const clientSide =
      err.expose === true ||
      (typeof err.code === 'string' && (err.code.startsWith('HPE_') || ['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(err.code)));
    logger[clientSide ? 'debug' : 'error']({ err }, 'connection error after the response');
  });
  app.use(requestId());
  app.use(requestSpan());
  app.use(trailingSlash());
  app.use(async (ctx, next) => {
    const end = metrics.httpDuration.startTimer({ method: ctx.method });
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      end({ route: String(route), status: String(ctx.status) });
      logger.debug({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status }, 'request');
    }
  });
  app.use(errorHandler(logger));
  app.use(helmet({ contentSecurityPolicy: false }));
  if (services.config.corsOrigins.length) {
    const allowed = new Set(services.config.corsOrigins);
    app.use(
      cors({
        origin: (ctx) => (allowed.has(ctx.get('Origin')) || allowed.has('*') ? ctx.get('Origin') : ''),
        exposeHeaders: ['X-Request-Id', 'Retry-After'],
      }),
    );
  }
  app.use(codecCors(services));
  const registry = createRegistry();
  app.use(largeBodyGate(LARGE_BODY_GATE, authenticateBeforeBody(services, registry)));
  app.use(koaBody({ jsonLimit: ONE_MIB, formLimit: ONE_MIB, textLimit: ONE_MIB, multipart: false, jsonStrict: true }));
  app.use((ctx, next) => RequestContext.create(services.orm.em, next));

  const router = new Router();
  indexRoutes(router, registry, services);
  healthRoutes(router, registry, services);
  authRoutes(router, registry, services);
  userRoutes(router, registry, services);
  companyRoutes(router, registry, services);
  jobRoutes(router, registry, services);
  applicationRoutes(router, registry, services);
  candidateRoutes(router, registry, services);
  teamRoutes(router, registry, services);
  pipelineRoutes(router, registry, services);
  reportRoutes(router, registry, services);
  noteRoutes(router, registry, services);
  interviewRoutes(router, registry, services);
  adminRoutes(router, services);
  codecRoutes(router, registry, services);
  privacyRoutes(router, registry, services);
  webhookRoutes(router, registry, services);
  registerWebhookEvents(registry);
  docsRoutes(router, () => generateDocument(registry));
  postmanRoutes(router);
  webRoutes(router, services.config.webAppDir);

  app.use(methodNotAllowed());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import type { Span } from '@opentelemetry/api';
import { PACKAGE } from '../config/package-info';

/**
 * The OpenTelemetry SDK of one process, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (src/main/tracing.ts): the API, worker and notifier pay nothing for it otherwise.
 */
export interface Tracing {
  serviceName: string;
  /** Also the Temporal workflows' exporter sink: their spans leave the sandbox through it. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered; bounded by the exporter's timeout, so a collector that is down cannot hold a shutdown. */
  shutdown(): Promise<void>;
}

/** A collector that is down costs an export this long at most, well inside the 10 s a process has to stop. */
const EXPORT_TIMEOUT_MS = 2_000;

/** Paths the probes and Prometheus poll: a span each would drown the traces people look for. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function startSdk(endpoint: string, serviceName: string): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000, exportTimeoutMillis: EXPORT_TIMEOUT_MS });
  const resource = new Resource({ 'service.version': PACKAGE.version })
    .merge(envDetectorSync.detect())
    .merge(new Resource({ 'service.name': serviceName }));
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
        requestHook: withoutQuery,
      }),
      // Commands only inside a trace (a request, a job), named without their arguments: those hold job data.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  sdk.start();
  return { serviceName, spanProcessor, resource, shutdown: () => sdk.shutdown() };
}

/**
 * Query strings carry search terms (names, e-mail addresses) and a webhook URL may carry its
 * receiver's token: spans keep the path only. The hook runs once the span holds its URL attributes.
 */
function withoutQuery(span: Span): void {
  const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes ?? {};
  for (const key of ['http.url', 'http.target', 'url.full']) {
    const value = attributes[key];
    if (typeof value === 'string' && value.includes('?')) span.setAttribute(key, value.split('?')[0]);
  }
  if (attributes['url.query'] !== undefined) span.setAttribute('url.query', '');
}

import { context, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The W3C trace context a queued job carries from whoever queued it to whoever processes it.
 * Only `@opentelemetry/api` is used here: with tracing off no SDK is registered, nothing is injected,
 * and the spans below are no-ops.
 */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The active span's context as W3C fields, or undefined when there is none (always so with tracing off). */
export function currentTraceContext(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** A queued job as the consumers see it: enough to name its span and find its parent. */
export interface TracedJob {
  id?: string;
  name: string;
  queueName: string;
  attemptsMade: number;
  data: TraceCarrier;
}

const TRACER = 'ats-queues';
const tracer = trace.getTracer(TRACER);

/** Whether an SDK is registered: without one every span is a no-op, and making it only costs. */
function tracingOn(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(TRACER) !== undefined;
}

/**
 * Wraps a BullMQ processor so each job runs in a consumer span, the child of the context it was
 * queued in; a job without one (requeued by a sweep, queued by an older version) starts a trace of its own.
 * With tracing off the processor runs unwrapped.
 */
export function tracedProcessor<J extends TracedJob, A extends unknown[], R>(
  spanName: string,
  process: (job: J, ...rest: A) => Promise<R>,
): (job: J, ...rest: A) => Promise<R> {
  return (job, ...rest) => {
    if (!tracingOn()) return process(job, ...rest);
    const { traceparent, tracestate } = job.data;
    const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent, tracestate }) : ROOT_CONTEXT;
    return tracer.startActiveSpan(
      spanName,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'bullmq',
          'messaging.operation': 'process',
          'messaging.destination.name': job.queueName,
          'messaging.message.id': job.id ?? '',
          'ats.job.name': job.name,
          'ats.job.attempt': job.attemptsMade + 1,
        },
      },
      parent,
      async (span) => {
        try {
          return await process(job, ...rest);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
}

/**
 * The workflow interceptors of a worker that traces (see src/temporal/workflow-tracing.ts): spans
 * for a run, its updates, signals and queries, and the activities and child workflows it starts,
 * carried across by headers and handed out through `@temporalio/interceptors-opentelemetry`'s sink.
 *
 * The package's own interceptors await inside every handler, and for histories that lack their SDK
 * flags (any application started by a worker that did not trace) add `await`s of their own: the
 * workflow's commands then come out in another order and a worker that traces could not replay an
 * application started without tracing. These return the handler's own promise and end their span
 * beside it, so the workflow runs tick for tick as it does without them (test/replay/replay-tracing.test.ts).
 */
import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { extractContextFromHeaders, headersWithContext } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  workflowInfo,
  type Next,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

type Attributes = Record<string, string>;

/** `fn`'s own promise, run in a new span that ends when it settles. */
function traced<T>(
  tracer: otel.Tracer,
  name: string,
  parent: otel.Context | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const context = parent ?? otel.context.active();
  const span = tracer.startSpan(name, { attributes }, context);
  const result = otel.context.with(otel.trace.setSpan(context, span), fn);
  result.then(
    () => span.end(),
    (err: unknown) => {
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'failed' });
      span.end();
    },
  );
  return result;
}

function tracedSync<T>(tracer: otel.Tracer, name: string, parent: otel.Context | undefined, attributes: Attributes, fn: () => T): T {
  const context = parent ?? otel.context.active();
  const span = tracer.startSpan(name, { attributes }, context);
  try {
    return otel.context.with(otel.trace.setSpan(context, span), fn);
  } catch (err) {
    span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'failed' });
    throw err;
  } finally {
    span.end();
  }
}

class Inbound extends OpenTelemetryInboundInterceptor implements WorkflowInboundCallsInterceptor {
  override execute(...[input, next]: Parameters<NonNullable<WorkflowInboundCallsInterceptor['execute']>>): Promise<unknown> {
    return traced(this.tracer, `RunWorkflow:${workflowInfo().workflowType}`, extractContextFromHeaders(input.headers), {}, () =>
      next(input),
    );
  }
  override handleSignal(...[input, next]: Parameters<NonNullable<WorkflowInboundCallsInterceptor['handleSignal']>>): Promise<void> {
    return traced(this.tracer, `HandleSignal:${input.signalName}`, extractContextFromHeaders(input.headers), {}, () => next(input));
  }
  override handleUpdate(...[input, next]: Parameters<NonNullable<WorkflowInboundCallsInterceptor['handleUpdate']>>): Promise<unknown> {
    const attributes = { temporalUpdateId: input.updateId };
    return traced(this.tracer, `HandleUpdate:${input.name}`, extractContextFromHeaders(input.headers), attributes, () => next(input));
  }
  override validateUpdate(...[input, next]: Parameters<NonNullable<WorkflowInboundCallsInterceptor['validateUpdate']>>): void {
    const attributes = { temporalUpdateId: input.updateId };
    tracedSync(this.tracer, `ValidateUpdate:${input.name}`, extractContextFromHeaders(input.headers), attributes, () => next(input));
  }
  override handleQuery(...[input, next]: Parameters<NonNullable<WorkflowInboundCallsInterceptor['handleQuery']>>): Promise<unknown> {
    return traced(this.tracer, `HandleQuery:${input.queryName}`, extractContextFromHeaders(input.headers), {}, () => next(input));
  }
}

class Outbound extends OpenTelemetryOutboundInterceptor implements WorkflowOutboundCallsInterceptor {
  override scheduleActivity(
    ...[input, next]: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['scheduleActivity']>>
  ): Promise<unknown> {
    return traced(this.tracer, `StartActivity:${input.activityType}`, undefined, {}, () =>
      next({ ...input, headers: headersWithContext(input.headers) }),
    );
  }
  override scheduleLocalActivity(
    ...[input, next]: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['scheduleLocalActivity']>>
  ): Promise<unknown> {
    return traced(this.tracer, `StartActivity:${input.activityType}`, undefined, {}, () =>
      next({ ...input, headers: headersWithContext(input.headers) }),
    );
  }
  override startChildWorkflowExecution(
    ...[input, next]: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['startChildWorkflowExecution']>>
  ): ReturnType<Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>> {
    return traced(this.tracer, `StartChildWorkflow:${input.workflowType}`, undefined, {}, () =>
      next({ ...input, headers: headersWithContext(input.headers) }),
    );
  }
  override signalWorkflow(...[input, next]: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['signalWorkflow']>>): Promise<void> {
    return traced(this.tracer, `SignalWorkflow:${input.signalName}`, undefined, {}, () =>
      next({ ...input, headers: headersWithContext(input.headers) }),
    );
  }
  override continueAsNew(...[input, next]: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['continueAsNew']>>): Promise<never> {
    return next({ ...input, headers: headersWithContext(input.headers) });
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new Inbound()],
  outbound: [new Outbound()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});

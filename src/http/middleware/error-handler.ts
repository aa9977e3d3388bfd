import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NotFoundError as OrmNotFoundError } from '@mikro-orm/core';
import type { Logger } from '../../logger';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  TooManyRequestsError,
  TryAgainError,
  UnauthorizedError,
  UnprocessableError,
} from '../../domain/errors';
import { problem, type Problem } from '../problem';

/**
 * The one place that turns errors into responses. Domain, validation, ORM and Temporal errors map to
 * 4xx problem documents; anything else is a 500 whose body says only that the server failed.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const body = toProblem(err);
      // Unknown errors already carry only a generic detail; every other 5xx is one of ours.
      if (body.status >= 500) logger.error({ err, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'request failed');
      body.requestId = ctx.state.requestId;
      if (body.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      if (body.code === 'try_again') ctx.set('Retry-After', '1');
      if (err instanceof TooManyRequestsError || err instanceof TryAgainError) ctx.set('Retry-After', String(err.retryAfterSeconds));
      if (err instanceof MethodNotAllowedError) ctx.set('Allow', err.allow);
      ctx.status = body.status;
      ctx.type = 'application/problem+json';
      ctx.body = body;
    }
  };
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ZodError) return problem(422, 'validation_failed', 'The request is not valid.', { errors: fieldErrors(err) });
  if (err instanceof DomainError) return domainProblem(err);
  if (err instanceof OrmNotFoundError) return problem(404, 'not_found', 'Not found.');
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return problem(409, 'duplicate_application', 'You have already applied to this job.');
  }
  if (err instanceof WorkflowNotFoundError) return problem(404, 'not_found', 'Application not found.');
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) {
    return problem(503, 'try_again', 'The application could not take this change in time; send it again.');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return failureProblem(err.cause);
  }
  const status = httpStatusOf(err);
  // Body-parser errors: say what was wrong without echoing the parser's message or the body.
  if (status === 400 && err instanceof SyntaxError)
    return problem(400, 'malformed_json', 'The request body is not valid JSON (an object or an array).');
  if (status === 413) return problem(413, 'payload_too_large', 'The request body is too large.');
  if (status && status >= 400 && status < 500) {
    const code = status === 415 ? 'unsupported_media_type' : status === 400 ? 'bad_request' : 'client_error';
    return problem(status, code, (err as Error).message || 'Bad request.');
  }
  return problem(500, 'internal_error', 'The server failed to handle this request.');
}

/** One entry per offending field; unknown keys are listed one by one under their own names. */
export function fieldErrors(err: ZodError): { path: string; message: string }[] {
  return err.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path, key].join('.'), message: 'Unknown field.' }))
      : [{ path: i.path.join('.'), message: i.message }],
  );
}

function domainProblem(err: DomainError): Problem {
  const status =
    err instanceof NotFoundError
      ? 404
      : err instanceof ConflictError
        ? 409
        : err instanceof ForbiddenError
          ? 403
          : err instanceof UnauthorizedError
            ? 401
            : err instanceof TooManyRequestsError
              ? 429
              : err instanceof TryAgainError
                ? 503
                : err instanceof InvalidInputError || err instanceof UnprocessableError
                  ? 422
                  : err instanceof MethodNotAllowedError
                    ? 405
                    : 400;
  return problem(status, err.code, err.message, err.details);
}

/** Workflow update handlers reject with ApplicationFailure: `type` is the problem code, details[0] extensions. */
const WORKFLOW_REFUSALS: Record<string, number> = {
  invalid_transition: 409,
  stage_changed: 409,
  duplicate_application: 409,
  not_found: 404,
  validation_failed: 422,
  application_final: 409,
  interview_exists: 409,
  interview_not_found: 404,
  interview_cancelled: 409,
  interview_complete: 409,
  interview_not_started: 409,
  not_an_interviewer: 403,
  reason_required: 422,
  not_reopenable: 409,
  not_on_version: 409,
  incomplete_map: 422,
};

function failureProblem(failure: ApplicationFailure): Problem {
  const status = failure.type ? WORKFLOW_REFUSALS[failure.type] : undefined;
  // Any other failure type comes from the server (an update it could not process, a workflow that
  // closed meanwhile): nothing was applied, and the client may try again.
  if (!status) return problem(503, 'try_again', 'The application could not take this change right now; send it again.');
  return problem(status, failure.type!, failure.message, (failure.details?.[0] ?? {}) as Record<string, unknown>);
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status;
}

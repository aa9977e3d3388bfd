import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NotFoundError as OrmNotFoundError } from '@mikro-orm/core';
import type { Logger } from '../../logger';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError } from '../../domain/errors';
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
      if (body.status >= 500) {
        logger.error({ err, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'request failed');
        body.detail = 'The server failed to handle this request.';
      }
      body.requestId = ctx.state.requestId;
      if (body.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      if (err instanceof TooManyRequestsError) ctx.set('Retry-After', String(err.retryAfterSeconds));
      ctx.status = body.status;
      ctx.type = 'application/problem+json';
      ctx.body = body;
    }
  };
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ZodError) {
    const errors = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return problem(422, 'validation_failed', 'The request is not valid.', { errors });
  }
  if (err instanceof DomainError) return domainProblem(err);
  if (err instanceof OrmNotFoundError) return problem(404, 'not_found', 'Not found.');
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return problem(409, 'duplicate_application', 'You have already applied to this job.');
  }
  if (err instanceof WorkflowNotFoundError) return problem(404, 'not_found', 'Application not found.');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return failureProblem(err.cause);
  }
  const status = httpStatusOf(err);
  if (status && status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 400 ? 'bad_request' : 'client_error';
    return problem(status, code, (err as Error).message || 'Bad request.');
  }
  return problem(500, 'internal_error', 'The server failed to handle this request.');
}

function domainProblem(err: DomainError): Problem {
  const status = err instanceof NotFoundError ? 404
    : err instanceof ConflictError ? 409
    : err instanceof ForbiddenError ? 403
    : err instanceof UnauthorizedError ? 401
    : err instanceof TooManyRequestsError ? 429
    : 400;
  return problem(status, err.code, err.message, err.details);
}

/** Workflow update handlers reject with ApplicationFailure: `type` is the problem code, details[0] extensions. */
function failureProblem(failure: ApplicationFailure): Problem {
  const code = failure.type ?? 'conflict';
  const extensions = (failure.details?.[0] ?? {}) as Record<string, unknown>;
  const status = code === 'not_found' ? 404 : code === 'validation_failed' ? 422 : 409;
  return problem(status, code, failure.message, extensions);
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status;
}

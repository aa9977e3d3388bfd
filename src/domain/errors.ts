/**
 * Domain errors carry a stable machine-readable code and know nothing of HTTP; the API's error
 * middleware maps each kind to a status and an RFC 9457 problem document.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class ForbiddenError extends DomainError {
  readonly code: string;
  constructor(message = 'You are not allowed to do this.', code = 'forbidden') {
    super(message);
    this.code = code;
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class TooManyRequestsError extends DomainError {
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * The server cannot take or confirm the request now (busy, or a change it accepted is not yet
 * visible); the client may read again or send the same request after `retryAfterSeconds`.
 */
export class TryAgainError extends DomainError {
  readonly code = 'try_again';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** A well-formed request that names something that does not exist (an unknown `companyId`). */
export class InvalidInputError extends DomainError {
  readonly code = 'validation_failed';
  constructor(path: string, message: string) {
    super('The request is not valid.', { errors: [{ path, message }] });
  }
}

/** A well-formed request the server will not process as sent (422), with its own code. */
export class UnprocessableError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A method the path does not serve; `allow` lists the ones it does. */
export class MethodNotAllowedError extends DomainError {
  readonly code = 'method_not_allowed';
  constructor(readonly allow: string) {
    super(`This path serves only: ${allow}.`);
  }
}

/**
 * @module domain/errors
 * Typed failures that domain and store code throw; one HTTP error handler maps them to
 * problem+json responses (see http/problem.ts). Nothing here knows about HTTP.
 */

export interface FieldProblem {
  /** Dotted path of the failing field, e.g. `body.role` or `query.year`. */
  field: string;
  message: string;
}

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
}

export class Invalid extends DomainError {
  readonly kind = 'invalid';
  override readonly name = 'Invalid';
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated';
  override readonly name = 'Unauthenticated';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
  override readonly name = 'Forbidden';
}

/** A reviewer asked to decide on a notice they wrote, edited or submitted: someone else must. */
export class OwnContent extends Forbidden {}

export class NotFound extends DomainError {
  readonly kind = 'not-found';
  override readonly name = 'NotFound';
}

/** A conditional write found the item in another state than expected. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
  override readonly name = 'Conflict';
  constructor(
    message: string,
    readonly current?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A dependency (the table, SNS) did not answer; asking again after `retryAfterSeconds` may work. */
export class Unavailable extends DomainError {
  readonly kind = 'unavailable';
  override readonly name = 'Unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The one error type of Tollgate. Every layer throws AppError for an expected failure; the HTTP
 * layer has a single mapper (src/http/error-mapper.ts) that turns it into Azure's error shape
 * `{"error":{"code","message","details"}}`. Anything that is not an AppError is a bug and is
 * answered with a generic 500 whose body says nothing about the cause.
 */
export type ErrorKind =
  | 'validation' // 400: the request is malformed or breaks a rule
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'precondition-failed' // 412
  | 'payload-too-large' // 413
  | 'unsupported-media-type' // 415
  | 'too-many-requests'; // 429

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: readonly ErrorDetail[];

  constructor(kind: ErrorKind, code: string, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

/** A request or body that breaks a rule; `details` name each offending field. */
export function validationError(message: string, details: readonly ErrorDetail[] = []): AppError {
  return new AppError('validation', 'ValidationError', message, details);
}

/** A single invalid field, the most common validation failure. */
export function invalidField(target: string, message: string): AppError {
  return validationError('One or more fields contain incorrect values.', [
    { code: 'ValidationError', target, message },
  ]);
}

export function notFound(entity: string): AppError {
  return new AppError('not-found', 'ResourceNotFound', `${entity} not found.`);
}

export function conflict(message: string, target?: string): AppError {
  return new AppError(
    'conflict',
    'Conflict',
    message,
    target ? [{ code: 'Conflict', target, message }] : [],
  );
}

export function preconditionFailed(): AppError {
  return new AppError(
    'precondition-failed',
    'PreconditionFailed',
    'The entity has been modified since it was read: the If-Match ETag does not match. Read it again and retry.',
  );
}

export function operationNotAllowed(message: string): AppError {
  return new AppError('validation', 'OperationNotAllowed', message);
}

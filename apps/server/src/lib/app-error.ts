import { ERROR_CODES, type TErrorCode, type TErrorDetail } from '@huifang/shared';

/** The one error type services throw. The error handler turns it into `{ code, message, requestId, details? }`. */
export class AppError extends Error {
  readonly code: TErrorCode;
  readonly status: number;
  readonly details: TErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: TErrorCode,
    message?: string,
    opts: { details?: TErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

export const notFound = (what = 'resource') => new AppError('NOT_FOUND', `${what} not found`);

/** A 400 for one field, for rules Zod cannot express (e.g. "this unit is not in your scope"). */
export const invalidField = (path: string, message: string, what: Pick<TErrorDetail, 'code' | 'params'> = {}) =>
  new AppError('VALIDATION_FAILED', message, { details: [{ path, message, ...what }] });

/**
 * An id in the request body that does not name an object the caller may use: unknown, deleted, of another tenant or
 * outside the caller's data scope all get this same 404, naming the field, so that an id's existence never leaks.
 */
export const unknownRef = (path: string, what: string) =>
  new AppError('NOT_FOUND', `${what} not found`, {
    details: [{ path, message: `${what} not found`, code: 'not_found' }],
  });

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

import type { TValidationCode, TValidationParams } from './validation.ts';

/**
 * The one list of error codes. The server throws AppError(code); the web app maps every code to zh-CN / en-US
 * text through an exhaustive table (apps/web/src/api/error-text.ts), so adding a code here fails the web typecheck
 * until it has a translation.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  ACCOUNT_DISABLED: 403,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REVIEW_WINDOW_CLOSED: 409,
  REVIEW_ALREADY_EXISTS: 409,
  USERNAME_TAKEN: 409,
  ROLE_KEY_TAKEN: 409,
  UNIT_HAS_CHILDREN: 409,
  UNIT_MOVE_INTO_SELF: 409,
  BUILTIN_ROLE_LOCKED: 409,
  PAIRING_CODE_INVALID: 401,
  SESSION_ALREADY_OPEN: 409,
  SESSION_NOT_OPEN: 409,
  SESSION_NOT_ENDED: 409,
  ALREADY_RATED: 409,
  QUEUE_CLOSED: 409,
  QUEUE_EMPTY: 409,
  TICKET_NOT_CALLED: 409,
  SURVEY_LINK_USED: 410,
  SURVEY_LINK_EXPIRED: 410,
  SURVEY_NOT_OPEN: 410,
  WRONG_PASSWORD: 400,
  PASSWORD_TOO_WEAK: 400,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DUPLICATE_PHONE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  TICKET_ACTION_NOT_ALLOWED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DB_UNAVAILABLE: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as TErrorCode[];

/** One error body for every failure: `{ code, message, requestId, details? }`. */
export interface TErrorBody {
  code: TErrorCode;
  message: string;
  requestId: string;
  details?: TErrorDetail[];
}

/**
 * A field at fault: `path` is the dotted path into the request (e.g. `body.username`); `code` and `params` say what is
 * wrong in a form the web app translates (validation.ts), `message` is the server's own wording for API clients.
 */
export interface TErrorDetail {
  path: string;
  message: string;
  code?: TValidationCode;
  params?: TValidationParams;
  /** DUPLICATE_PHONE: the customer who has the phone, when the caller may see it (null: exists, out of scope). */
  existing?: { id: string; name: string; phone: string; unitName: string } | null;
}

import type { TErrorCode, TErrorDetail } from '@huifang/shared';

/** The server's one error body, as a thrown error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: TErrorCode,
    message: string,
    readonly requestId: string | null,
    readonly details: TErrorDetail[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
/** Set from /api/auth/me, login and password change; sent as X-CSRF-Token on every write. */
export const setCsrfToken = (t: string | null) => {
  csrfToken = t;
};

let onUnauthenticated: (() => void) | null = null;
export const setUnauthenticatedHandler = (fn: () => void) => {
  onUnauthenticated = fn;
};

/** How one call differs from a plain JSON call of the logged-in user. */
export interface TRequestOptions {
  /** JSON body. */
  body?: unknown;
  /** A file sent as the raw request body instead. */
  raw?: { blob: Blob; contentType: string };
  /** Extra headers, e.g. `idempotency-key` (a double tap stores one answer). */
  headers?: Record<string, string>;
  /**
   * false for calls that are not the user's session: the kiosk (its own device cookie), the public survey and buyer
   * pages. Their 401 does not mean "log in", they send no X-CSRF-Token, and survey links send no cookie at all.
   */
  isSessionCall?: boolean;
  /** 'omit': the call must not carry the user's session cookie (public survey links). */
  credentials?: RequestCredentials;
}

/** The one fetch of the app: every call to /api goes through here. `url` is relative to /api. */
async function send(method: string, url: string, opts: TRequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.raw) headers['content-type'] = opts.raw.contentType;
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken && opts.isSessionCall !== false) headers['x-csrf-token'] = csrfToken;
  return fetch(`/api${url}`, {
    method,
    headers,
    credentials: opts.credentials ?? 'same-origin',
    body: opts.raw ? opts.raw.blob : opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

/** A JSON call; a failed one throws the server's error body as an ApiError. */
export async function request<T>(method: string, url: string, opts: TRequestOptions = {}): Promise<T> {
  const res = await send(method, url, opts);
  const text = await res.text();
  if (!res.ok) throw errorOf(res, text, url, opts.isSessionCall !== false);
  const data: unknown = text ? JSON.parse(text) : null;
  return data as T;
}

export const api = <T>(method: string, url: string, body?: unknown, raw?: { blob: Blob; contentType: string }) =>
  request<T>(method, url, { body, raw });

/** The ApiError of a failed response (its body is the server's JSON error, or anything else from a proxy). */
function errorOf(res: Response, text: string, url: string, isSessionCall = true): ApiError {
  let e: { code?: TErrorCode; message?: string; requestId?: string; details?: TErrorDetail[] } = {};
  try {
    e = (text ? JSON.parse(text) : {}) ?? {};
  } catch {
    // not JSON (a proxy's error page): keep the status
  }
  const err = new ApiError(
    res.status,
    e.code ?? 'INTERNAL',
    e.message ?? res.statusText,
    e.requestId ?? null,
    e.details ?? [],
    res.headers.get('retry-after') ? Number(res.headers.get('retry-after')) : null,
  );
  if (err.code === 'UNAUTHENTICATED' && isSessionCall && !url.startsWith('/auth/')) onUnauthenticated?.();
  return err;
}

/**
 * Download a file (an export) through fetch: on success the browser saves it under the server's file name; on an
 * error the server's error body is thrown as an ApiError for the page to show — never a tab of raw JSON.
 */
export async function downloadFile(url: string): Promise<string> {
  const res = await send('GET', url, {});
  if (!res.ok) throw errorOf(res, await res.text(), url);
  const blob = await res.blob();
  const name = fileNameOf(res.headers.get('content-disposition')) ?? url.split('?')[0]!.split('/').pop() ?? 'download';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  return name;
}

function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? null;
}

export const get = <T>(url: string) => api<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => api<T>('POST', url, body ?? {});
export const patch = <T>(url: string, body: unknown) => api<T>('PATCH', url, body);
export const del = <T>(url: string) => api<T>('DELETE', url);
/** Send a file as the raw request body. */
export const upload = <T>(url: string, file: Blob, contentType: string) =>
  api<T>('POST', url, undefined, { blob: file, contentType });

/** Build a query string from defined values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

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

export async function api<T>(method: string, url: string, body?: unknown, raw?: { blob: Blob; contentType: string }): Promise<T> {
  const headers: Record<string, string> = {};
  if (raw) headers['content-type'] = raw.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api${url}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: raw ? raw.blob : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const e = (data ?? {}) as { code?: TErrorCode; message?: string; requestId?: string; details?: TErrorDetail[] };
    const err = new ApiError(
      res.status,
      e.code ?? 'INTERNAL',
      e.message ?? res.statusText,
      e.requestId ?? null,
      e.details ?? [],
      res.headers.get('retry-after') ? Number(res.headers.get('retry-after')) : null,
    );
    if (err.code === 'UNAUTHENTICATED' && !url.startsWith('/auth/')) onUnauthenticated?.();
    throw err;
  }
  return data as T;
}

export const get = <T>(url: string) => api<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => api<T>('POST', url, body ?? {});
export const patch = <T>(url: string, body: unknown) => api<T>('PATCH', url, body);
export const del = <T>(url: string) => api<T>('DELETE', url);
/** Send a file as the raw request body. */
export const upload = <T>(url: string, file: Blob, contentType: string) => api<T>('POST', url, undefined, { blob: file, contentType });

/** Build a query string from defined values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

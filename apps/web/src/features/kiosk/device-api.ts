import type { TKioskRatingInput, TKioskState, TPairResult } from '@huifang/shared';

/**
 * The kiosk talks to the device endpoints with its own HttpOnly cookie (set at pairing), never with a user session,
 * so it uses plain fetch: a 401 here means "not paired", not "log in".
 */
export class DeviceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`/api${url}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) throw new DeviceError(res.status, (data as { code?: string } | null)?.code ?? 'INTERNAL');
  return data as T;
}

export const fetchState = () => call<TKioskState>('GET', '/kiosk/device/state');
export const pair = (code: string) => call<TPairResult>('POST', '/kiosk/pair', { code });
export const unpair = () => call<{ ok: true }>('POST', '/kiosk/device/unpair', {});
export const sendRating = (body: TKioskRatingInput, idempotencyKey: string) =>
  call<{ evaluationId: string }>('POST', '/kiosk/device/ratings', body, { 'idempotency-key': idempotencyKey });

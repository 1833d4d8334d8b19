import type { TKioskRatingInput, TKioskState, TPairResult } from '@huifang/shared';
import { request } from '../../api/client.ts';

/**
 * The kiosk talks to the device endpoints with its own HttpOnly cookie (set at pairing), never with a user session:
 * a 401 here means "not paired", not "log in". Errors are ApiErrors like everywhere else.
 */
const call = <T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  request<T>(method, url, { body, headers, isSessionCall: false });

export const fetchState = () => call<TKioskState>('GET', '/kiosk/device/state');
export const pair = (code: string) => call<TPairResult>('POST', '/kiosk/pair', { code });
export const unpair = () => call<{ ok: true }>('POST', '/kiosk/device/unpair', {});
export const sendRating = (body: TKioskRatingInput, idempotencyKey: string) =>
  call<{ evaluationId: string }>('POST', '/kiosk/device/ratings', body, { 'idempotency-key': idempotencyKey });

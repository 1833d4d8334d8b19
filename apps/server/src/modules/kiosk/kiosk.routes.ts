import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZIdempotencyHeaders,
  ZIdParams,
  ZKioskDevice,
  ZKioskRatingInput,
  ZKioskRatingResult,
  ZKioskSettings,
  ZKioskSettingsInput,
  ZKioskState,
  ZKioskUnits,
  ZOk,
  ZOutletParams,
  ZPairInput,
  ZPairingCode,
  ZPairingCodeInput,
  ZPairResult,
} from '@huifang/shared';
import { notFound } from '../../lib/app-error.ts';
import { hotPathRateLimitHeaders, hotPathSerializer } from '../../lib/hot-path.ts';
import { hotPathLogging } from '../../lib/logger.ts';
import { isSecureRequest } from '../../plugins/auth.ts';
import {
  createPairingCode,
  findDevice,
  getSettings,
  listDevices,
  listKioskUnits,
  pairDevice,
  putSettings,
  revokeDevice,
  touchDevice,
} from './kiosk-admin.service.ts';
import {
  createDeviceCache,
  DEVICE_COOKIE,
  requireDevice,
  sha256,
  tokenFrom,
  type TDeviceCtx,
} from './kiosk-devices.ts';
import { createKioskHub } from './kiosk-hub.ts';
import { readKioskState, submitRating } from './kiosk.service.ts';

const tags = ['kiosk'];
const DEVICE_PATH = '/api/kiosk/device';
const HEARTBEAT_MS = 25_000;

type TDeviceRequest = { headers: Record<string, unknown>; cookies: Record<string, string | undefined> };
/**
 * The sha256 of the request's device token (null without one), computed once per request: the rate limit's key and
 * the device lookup both need it.
 */
const tokenHashes = new WeakMap<object, string | null>();
const tokenHashOf = (req: TDeviceRequest): string | null => {
  let h = tokenHashes.get(req);
  if (h === undefined) {
    const token = tokenFrom(req.headers, req.cookies);
    h = token ? sha256(token) : null;
    tokenHashes.set(req, h);
  }
  return h;
};

/** Per-device limit on the public device endpoints (keyed by the token, or the IP without one). */
const byDevice = (req: TDeviceRequest & { ip: string }) => {
  const hash = tokenHashOf(req);
  return hash ? `kiosk:${hash.slice(0, 24)}` : `ip:${req.ip}`;
};

export const kioskRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const cache = createDeviceCache();
  const hub = createKioskHub(deps.db, app.log);
  hub.onSignal((s) => {
    if (s.k === 'devices') cache.clear();
  });
  app.addHook('onReady', () => hub.start());
  app.addHook('onClose', () => hub.stop());
  const device = (req: TDeviceRequest) => requireDevice(cache, deps.db, tokenHashOf(req));
  /**
   * 最后在线 moves while the device is used (state reads, ratings, the event stream): at most one conditional UPDATE
   * per device and minute from this process, sent after the answer and never awaited, so the rating path gains no
   * database round trip.
   */
  const touchedAt = new Map<string, number>();
  const seen = (d: TDeviceCtx) => {
    const now = deps.clock.now();
    const last = touchedAt.get(d.id);
    if (last !== undefined && now.getTime() - last < 60_000 && now.getTime() >= last) return;
    if (touchedAt.size >= 10_000) touchedAt.clear();
    touchedAt.set(d.id, now.getTime());
    setImmediate(
      () =>
        void touchDevice(deps.db, d.id, now).catch((err: unknown) =>
          app.log.warn({ err }, 'kiosk last seen not written'),
        ),
    );
  };

  // ---- admin: pairing, devices, outlet settings (reads org:read, writes kiosk:manage) -------------------------------------------------
  app.get(
    '/kiosk/units',
    {
      config: { access: 'org:read' },
      schema: { tags, summary: 'outlets and counters I may configure', response: { 200: ZKioskUnits } },
    },
    async (req) => listKioskUnits(deps.db, req.scope()),
  );
  app.post(
    '/kiosk/pairing-codes',
    {
      config: { access: 'kiosk:manage' },
      schema: {
        tags,
        summary: '生成配对码 one-time pairing code for a counter (10 minutes)',
        body: ZPairingCodeInput,
        response: { 200: ZPairingCode },
      },
    },
    async (req) => createPairingCode(deps, req.scope(), req.auditCtx(), req.body),
  );
  app.get(
    '/kiosk/devices',
    {
      config: { access: 'org:read' },
      schema: {
        tags,
        summary: 'paired devices with last seen',
        response: { 200: z.object({ items: z.array(ZKioskDevice) }) },
      },
    },
    async (req) => ({
      items: await listDevices(deps.db, req.scope()),
    }),
  );
  app.get(
    '/kiosk/devices/:id',
    { config: { access: 'org:read' }, schema: { tags, params: ZIdParams, response: { 200: ZKioskDevice } } },
    async (req) => {
      const d = await findDevice(deps.db, req.scope(), req.params.id);
      if (!d) throw notFound('device');
      return d;
    },
  );
  app.post(
    '/kiosk/devices/:id/revoke',
    {
      config: { access: 'kiosk:manage' },
      schema: { tags, summary: '吊销 revoke a device token', params: ZIdParams, response: { 200: ZKioskDevice } },
    },
    async (req) => {
      const d = await revokeDevice(deps, req.scope(), req.auditCtx(), req.params.id);
      cache.clear();
      return d;
    },
  );
  app.get(
    '/kiosk/settings/:outletId',
    { config: { access: 'org:read' }, schema: { tags, params: ZOutletParams, response: { 200: ZKioskSettings } } },
    async (req) => getSettings(deps.db, req.scope(), req.params.outletId),
  );
  app.put(
    '/kiosk/settings/:outletId',
    {
      config: { access: 'kiosk:manage' },
      schema: {
        tags,
        summary: '按键与超时 keys (3–5) and timeout of an outlet',
        params: ZOutletParams,
        body: ZKioskSettingsInput,
        response: { 200: ZKioskSettings },
      },
    },
    async (req) => {
      const s = await putSettings(deps, req.scope(), req.auditCtx(), req.params.outletId, req.body);
      cache.clear();
      return s;
    },
  );

  // ---- the device itself (public: authenticated by its own token, rate-limited) ---------------------------------
  app.post(
    '/kiosk/pair',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: '配对 exchange a pairing code for a device token',
        body: ZPairInput,
        response: { 200: ZPairResult },
      },
    },
    async (req, reply) => {
      const r = await pairDevice(deps, req.body.code, { ip: req.ip, requestId: String(req.id) });
      void reply.setCookie(DEVICE_COOKIE, r.token, {
        path: DEVICE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: isSecureRequest(req, deps.config),
        maxAge: 5 * 365 * 86400,
      });
      return r;
    },
  );
  app.post(
    '/kiosk/device/unpair',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, summary: 'forget the token on this browser', response: { 200: ZOk } },
    },
    async (_req, reply) => {
      void reply.clearCookie(DEVICE_COOKIE, { path: DEVICE_PATH });
      return { ok: true as const };
    },
  );
  app.get(
    '/kiosk/device/state',
    {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: byDevice } },
      schema: { tags, summary: 'what the kiosk should show now', response: { 200: ZKioskState } },
    },
    async (req) => {
      const d = await device(req);
      seen(d);
      return readKioskState(deps.db, d, deps.clock.now());
    },
  );
  app.post(
    '/kiosk/device/ratings',
    {
      ...hotPathLogging,
      config: {
        access: 'public',
        rateLimit: {
          max: deps.config.kioskRatingsPerMinute,
          timeWindow: '1 minute',
          keyGenerator: byDevice,
          ...hotPathRateLimitHeaders,
        },
      },
      serializerCompiler: hotPathSerializer(ZKioskRatingResult),
      schema: {
        tags,
        summary: '评价 a customer pressed a key (Idempotency-Key required)',
        headers: ZIdempotencyHeaders,
        body: ZKioskRatingInput,
        response: { 200: ZKioskRatingResult },
      },
    },
    async (req) => {
      const d = await device(req);
      const result = await submitRating(deps, d, req.body, req.headers['idempotency-key']);
      seen(d);
      return result;
    },
  );

  /**
   * Server-Sent Events: one `state` event now and after every change of this counter (start, end, revoke). Each
   * event's id names the state; a reconnect with Last-Event-ID equal to the current state gets nothing new.
   */
  app.get(
    '/kiosk/device/events',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: byDevice } },
      schema: { tags, summary: 'SSE stream of the kiosk state' },
    },
    async (req, reply) => {
      const token = tokenFrom(req.headers, req.cookies);
      let d: TDeviceCtx = await device(req);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');
      let lastId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null;
      let closed = false;
      let chain = Promise.resolve();
      const push = () => {
        chain = chain
          .then(async () => {
            if (closed) return;
            const current = token ? await cache.get(deps.db, token) : null;
            if (!current) {
              raw.write('event: revoked\ndata: {}\n\n');
              raw.end();
              return;
            }
            d = current;
            const state = await readKioskState(deps.db, d, deps.clock.now());
            const id = `${state.sessionId ?? 'none'}.${state.state}`;
            if (id === lastId) return;
            lastId = id;
            if (!closed) raw.write(`id: ${id}\nevent: state\ndata: ${JSON.stringify(state)}\n\n`);
          })
          .catch((err: unknown) => req.log.warn({ err }, 'kiosk push failed'));
      };
      const unsubscribe = hub.subscribe(`${d.tenantId}:${d.counterId}`, push);
      const beat = setInterval(() => {
        raw.write(': ping\n\n');
        seen(d);
      }, HEARTBEAT_MS);
      raw.on('close', () => {
        closed = true;
        clearInterval(beat);
        unsubscribe();
      });
      seen(d);
      push();
    },
  );
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ZDisplayCode,
  ZDisplayCodeInput,
  ZDisplayPairResult,
  ZDisplayState,
  ZIdParams,
  ZOk,
  ZOutletParams,
  ZPairInput,
  ZQueueDisplay,
  ZQueueDisplayList,
  ZQueueNoticesInput,
  ZQueueSetup,
} from '@huifang/shared';
import { isSecureRequest } from '../../plugins/auth.ts';
import { sha256 } from '../kiosk/kiosk-devices.ts';
import { createKioskHub } from '../kiosk/kiosk-hub.ts';
import {
  createDisplayCode,
  DISPLAY_COOKIE,
  findDisplay,
  listDisplays,
  pairDisplay,
  readDisplayState,
  revokeDisplay,
} from './queue-display.service.ts';
import { putQueueNotices } from './queue-setup.service.ts';
import { readPublicTicket, ticketOutlet } from './queue-take.service.ts';

const tags = ['queue'];
const DISPLAY_PATH = '/api/queue/display';
const HEARTBEAT_MS = 25_000;

type TReq = { headers: Record<string, unknown>; cookies: Record<string, string | undefined>; ip: string };
/** The display token as `Authorization: Bearer …` or the display page's HttpOnly cookie. */
const displayTokenHash = (req: TReq) => {
  const auth = req.headers.authorization;
  const token =
    typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : req.cookies[DISPLAY_COOKIE];
  return token ? sha256(token) : null;
};
const byDisplay = (req: TReq) => {
  const h = displayTokenHash(req);
  return h ? `qdisplay:${h.slice(0, 24)}` : `ip:${req.ip}`;
};
const byTicket = (req: { params: unknown; ip: string }) =>
  `qticket:${(req.params as { id?: string }).id ?? ''}:${req.ip}`;

/**
 * Live pages of the queue: the hall display 叫号屏 (paired like a kiosk, with notices) and the customer's phone page.
 * Both are Server-Sent Events streams fed by the outlet's `queue` signal (pg_notify at commit, see kiosk-hub.ts), so
 * a call reaches them within the time of one re-read.
 */
export const queueLiveRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const hub = createKioskHub(deps.db, app.log);
  app.addHook('onReady', () => hub.start());
  app.addHook('onClose', () => hub.stop());

  /** One `state` event now and after every change of the outlet's queue; unchanged states are not re-sent. */
  function stream(
    req: FastifyRequest,
    reply: FastifyReply,
    key: string,
    read: () => Promise<object>,
    onGone: (err: unknown) => boolean,
  ) {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
    let last = '';
    let closed = false;
    let chain = Promise.resolve();
    const push = () => {
      chain = chain
        .then(async () => {
          if (closed) return;
          const { serverTime: _t, ...state } = (await read()) as { serverTime?: string };
          const body = JSON.stringify(state);
          if (body === last || closed) return;
          last = body;
          raw.write(`event: state\ndata: ${body}\n\n`);
        })
        .catch((err: unknown) => {
          if (onGone(err)) {
            raw.write('event: gone\ndata: {}\n\n');
            raw.end();
          } else req.log.warn({ err }, 'queue push failed');
        });
    };
    const unsubscribe = hub.subscribe(key, push);
    const beat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    raw.on('close', () => {
      closed = true;
      clearInterval(beat);
      unsubscribe();
    });
    push();
  }
  const isAuthError = (err: unknown) => (err as { code?: string }).code === 'UNAUTHENTICATED';

  // ---- the manager: notices and display pairing codes (queue:manage) -----------------------------------------------
  app.put(
    '/queue/outlets/:outletId/notices',
    {
      config: { access: 'queue:manage' },
      schema: {
        tags,
        summary: '宣传信息 notices shown on the hall displays between calls',
        params: ZOutletParams,
        body: ZQueueNoticesInput,
        response: { 200: ZQueueSetup },
      },
    },
    async (req) => putQueueNotices(deps, req.scope(), req.auditCtx(), req.params.outletId, req.body),
  );
  app.post(
    '/queue/outlets/:outletId/display-codes',
    {
      config: { access: 'queue:manage' },
      schema: {
        tags,
        summary: '叫号屏配对码 one-time pairing code for a hall display (10 minutes)',
        params: ZOutletParams,
        body: ZDisplayCodeInput,
        response: { 200: ZDisplayCode },
      },
    },
    async (req) => createDisplayCode(deps, req.scope(), req.auditCtx(), req.params.outletId, req.body.deviceName),
  );

  app.get(
    '/queue/outlets/:outletId/displays',
    {
      config: { access: 'org:read' },
      schema: {
        tags,
        summary: '叫号屏 the hall displays paired to an outlet (active first)',
        params: ZOutletParams,
        response: { 200: ZQueueDisplayList },
      },
    },
    async (req) => ({ items: await listDisplays(deps.db, req.scope(), req.params.outletId) }),
  );
  app.post(
    '/queue/displays/:id/revoke',
    {
      config: { access: 'queue:manage' },
      schema: {
        tags,
        summary: '撤销 a hall display: its token stops working at once',
        params: ZIdParams,
        response: { 200: ZQueueDisplay },
      },
    },
    async (req) => revokeDisplay(deps, req.scope(), req.auditCtx(), req.params.id),
  );

  // ---- the hall display itself (public: its own token, rate-limited) ------------------------------------------------
  app.post(
    '/queue/display/pair',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, summary: '配对 a hall display', body: ZPairInput, response: { 200: ZDisplayPairResult } },
    },
    async (req, reply) => {
      const r = await pairDisplay(deps, req.body.code, { ip: req.ip, requestId: String(req.id) });
      void reply.setCookie(DISPLAY_COOKIE, r.token, {
        path: DISPLAY_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: isSecureRequest(req, deps.config),
        maxAge: 5 * 365 * 86400,
      });
      return r;
    },
  );
  app.get(
    '/queue/display/state',
    {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: byDisplay } },
      schema: { tags, summary: 'what the hall display shows', response: { 200: ZDisplayState } },
    },
    async (req) => readDisplayState(deps, await findDisplay(deps.db, displayTokenHash(req))),
  );
  app.get(
    '/queue/display/events',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: byDisplay } },
      schema: { tags, summary: 'SSE stream of the hall display state' },
    },
    async (req, reply) => {
      const hash = displayTokenHash(req);
      const d = await findDisplay(deps.db, hash);
      // Each push re-checks the token: a revoked display gets `gone` and stops.
      stream(
        req,
        reply,
        `${d.tenantId}:queue:${d.outletId}`,
        async () => readDisplayState(deps, await findDisplay(deps.db, hash)),
        isAuthError,
      );
    },
  );
  app.post(
    '/queue/display/unpair',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, summary: 'forget the token on this browser', response: { 200: ZOk } },
    },
    async (_req, reply) => {
      void reply.clearCookie(DISPLAY_COOKIE, { path: DISPLAY_PATH });
      return { ok: true as const };
    },
  );

  // ---- the customer's phone page: the ticket, live -----------------------------------------------------------------
  app.get(
    '/queue/tickets/:id/events',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: byTicket } },
      schema: { tags, summary: 'SSE stream of my ticket (people ahead, called)', params: ZIdParams },
    },
    async (req, reply) => {
      const w = await ticketOutlet(deps.db, req.params.id); // 404 before the stream starts
      stream(
        req,
        reply,
        `${w.tenantId}:queue:${w.outletId}`,
        () => readPublicTicket(deps, req.params.id),
        () => false,
      );
    },
  );
};

import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PERMISSIONS, type TPermission } from '@huifang/shared';
import { AppError } from '../lib/app-error.ts';
import type { TActor, TAuditCtx, TScope } from '../lib/scope.ts';
import type { TRequestMeta, TResolvedSession } from '../modules/auth/auth.service.ts';
import type { TAppDeps } from '../app.ts';

/**
 * Every /api route declares its access in `config.access`: 'public', 'authenticated', or one permission.
 * A route without a declaration fails at registration, so none can slip through unguarded.
 */
export type TAccess = 'public' | 'authenticated' | TPermission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: TAccess;
  }
  interface FastifyRequest {
    session: TResolvedSession | null;
    /** The caller's scope; throws UNAUTHENTICATED on a public route without a session. */
    scope(): TScope;
    /** Scope plus permissions, for rules such as "may grant this role". */
    actor(): TActor;
    auditCtx(): TAuditCtx;
    meta(): TRequestMeta;
  }
}

export const SESSION_COOKIE = 'hf_sid';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const KNOWN = new Set<string>(['public', 'authenticated', ...PERMISSIONS]);

/** Routes seen at registration, with their access; the route × role test enumerates them. */
export interface TRouteAccess {
  method: string;
  url: string;
  access: TAccess;
  /** Declares a per-route `config.rateLimit` (@fastify/rate-limit); public endpoints must. */
  isRateLimited: boolean;
}

/** Whether cookies set on this response get `Secure`: the request came over HTTPS (directly or, per TRUST_PROXY, through a proxy) or COOKIE_SECURE forces it. */
export const isSecureRequest = (req: FastifyRequest, config: Pick<TAppDeps['config'], 'cookieSecure'>) =>
  config.cookieSecure || req.protocol === 'https';

/**
 * A browser's write may come only from the app's own pages: its Origin (when sent) must be this host as the request
 * names it (Host, or X-Forwarded-Host from a trusted proxy) or PUBLIC_BASE_URL. Callers that send no Origin (the shop
 * API, SMS receipt pushes, scripts) are not browsers and are judged by their credentials alone.
 */
export function isOwnOrigin(req: FastifyRequest, publicBaseUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const url = parsedOrigin(origin);
  if (url === null) return false; // "null" (sandboxed frames, file://) and garbage
  return url.host === req.host || url.origin === parsedOrigin(publicBaseUrl)?.origin;
}

/**
 * `new URL(value)`'s host and origin, memoised: a site sees a handful of Origin values, and parsing two URLs on every
 * write was a measurable part of the ingestion hot paths (bench/README.md). Bounded: cleared when it grows past 256.
 */
const parsedOrigins = new Map<string, { host: string; origin: string } | null>();
function parsedOrigin(value: string): { host: string; origin: string } | null {
  let parsed = parsedOrigins.get(value);
  if (parsed !== undefined) return parsed;
  try {
    const url = new URL(value);
    parsed = { host: url.host, origin: url.origin };
  } catch {
    parsed = null;
  }
  if (parsedOrigins.size >= 256) parsedOrigins.clear();
  parsedOrigins.set(value, parsed);
  return parsed;
}

function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/**
 * The plugin's narrow dependencies: the config it reads and how a session cookie becomes a session. The auth module's
 * service is wired in by app.ts, so the plugin does not depend on any module (or on its database access).
 */
export interface TAuthPluginOptions {
  deps: Pick<TAppDeps, 'config'>;
  routes: TRouteAccess[];
  resolveSession: (token: string) => Promise<TResolvedSession | null>;
}

export const authPlugin = fp(
  async (app: FastifyInstance, opts: TAuthPluginOptions) => {
    const { deps, resolveSession } = opts;

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api') || route.method === 'HEAD') return;
      // The API browser (@fastify/swagger-ui) registers its own static routes; they are public like the spec.
      if (route.url.startsWith('/api/docs')) route.config = { ...(route.config as object), access: 'public' };
      const access = (route.config as { access?: TAccess } | undefined)?.access;
      if (!access || !KNOWN.has(access)) {
        throw new Error(`route ${String(route.method)} ${route.url} declares no valid config.access`);
      }
      const isRateLimited = !!(route.config as { rateLimit?: unknown } | undefined)?.rateLimit;
      for (const m of [route.method].flat())
        opts.routes.push({ method: String(m), url: route.url, access, isRateLimited });
    });

    app.decorateRequest('session', null);
    app.decorateRequest('scope', function (this: FastifyRequest): TScope {
      const s = this.session;
      if (!s) throw new AppError('UNAUTHENTICATED', 'log in first');
      return { tenantId: s.tenantId, userId: s.userId, unitId: s.unitId, unitPath: s.unitPath, dataScope: s.dataScope };
    });
    app.decorateRequest('actor', function (this: FastifyRequest): TActor {
      const s = this.session;
      if (!s) throw new AppError('UNAUTHENTICATED', 'log in first');
      return { ...this.scope(), username: s.username, displayName: s.displayName, permissions: s.permissions };
    });
    app.decorateRequest('auditCtx', function (this: FastifyRequest): TAuditCtx {
      const s = this.session;
      if (!s) throw new AppError('UNAUTHENTICATED', 'log in first');
      return {
        tenantId: s.tenantId,
        actorId: s.userId,
        actorName: s.displayName,
        ip: this.ip,
        requestId: String(this.id),
      };
    });
    app.decorateRequest('meta', function (this: FastifyRequest): TRequestMeta {
      return { ip: this.ip, userAgent: this.headers['user-agent'] ?? null, requestId: String(this.id) };
    });

    /** What the route's access asks of the resolved session: null when it may go on, else the error to answer. */
    const refusal = (req: FastifyRequest, access: TAccess): AppError | null => {
      if (access === 'public') return null;
      if (!req.session) return new AppError('UNAUTHENTICATED', 'log in first');
      // CSRF: cookie-authenticated writes must echo the session's token in a header a cross-site form cannot set.
      if (!SAFE_METHODS.has(req.method)) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !tokensEqual(sent, req.session.csrfToken)) {
          return new AppError('CSRF_FAILED', 'missing or wrong X-CSRF-Token header');
        }
      }
      if (access !== 'authenticated' && !req.session.permissions.has(access)) {
        return new AppError('FORBIDDEN', `permission ${access} required`);
      }
      return null;
    };

    // preValidation, not preHandler: a caller without a session or permission learns nothing about the route's
    // schema (401/403 before any 400) and a forbidden write is refused whatever its body.
    // Callback-style rather than async: a request without a session cookie (kiosk presses, survey answers) passes
    // without a promise; only the session lookup is asynchronous.
    app.addHook('preValidation', (req, _reply, done) => {
      const access = req.routeOptions.config.access;
      if (!access) return done(); // non-API routes (static files, docs)
      // Public writes too: a foreign page must not log a victim's browser in, nor post as it to a survey.
      if (!SAFE_METHODS.has(req.method) && !isOwnOrigin(req, deps.config.publicBaseUrl)) {
        return done(new AppError('CSRF_FAILED', 'cross-origin write refused (Origin is not this site)'));
      }
      const token = req.cookies[SESSION_COOKIE];
      if (!token) {
        req.session = null;
        return done(refusal(req, access) ?? undefined);
      }
      resolveSession(token).then(
        (session) => {
          req.session = session;
          done(refusal(req, access) ?? undefined);
        },
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    });
  },
  { name: 'huifang-auth' },
);

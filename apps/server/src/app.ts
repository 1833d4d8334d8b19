import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import helmet from 'helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { TConfig } from './config/env.ts';
import type { Db } from './db/client.ts';
import type { TJobSender } from './jobs/queue.ts';
import type { TClock } from './lib/clock.ts';
import type { TSmsFactory } from './modules/messaging/sms/provider.ts';
import { loggerOptions } from './lib/logger.ts';
import { authPlugin, type TRouteAccess } from './plugins/auth.ts';
import { frameworkErrorHandler, registerErrorHandler } from './plugins/error-handler.ts';
import { inputGuardPlugin } from './plugins/input-guard.ts';
import { SnapshotRateLimitStore } from './plugins/rate-limit-store.ts';
import { precomputeHeaders } from './plugins/security-headers.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { customerRoutes } from './modules/customers/customers.routes.ts';
import { importRoutes } from './modules/imports/imports.routes.ts';
import { dataQualityRoutes } from './modules/data-quality/data-quality.routes.ts';
import { savedFilterRoutes } from './modules/saved-filters/saved-filters.routes.ts';
import { serviceRecordRoutes } from './modules/service-records/service-records.routes.ts';
import { settingsRoutes } from './modules/settings/settings.routes.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { resolveSession } from './modules/auth/auth.service.ts';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { orgUnitRoutes } from './modules/org-units/org-units.routes.ts';
import { roleRoutes } from './modules/roles/roles.routes.ts';
import { userRoutes } from './modules/users/users.routes.ts';
import { evaluationRoutes } from './modules/evaluations/evaluations.routes.ts';
import { followupRoutes } from './modules/followup/followup.routes.ts';
import { followupPathRoutes } from './modules/followup/paths/paths.routes.ts';
import { orderReviewRoutes } from './modules/order-reviews/order-reviews.routes.ts';
import { reviewPublicRoutes } from './modules/order-reviews/review-public.routes.ts';
import { surveyRoutes } from './modules/surveys/surveys.routes.ts';
import { surveyPublicRoutes } from './modules/surveys/surveys.public.routes.ts';
import { messagingRoutes } from './modules/messaging/messaging.routes.ts';
import { receiptRoutes } from './modules/messaging/receipts.routes.ts';
import { autoSendRoutes } from './modules/followup/auto-send/auto-send.routes.ts';
import { kioskRoutes } from './modules/kiosk/kiosk.routes.ts';
import { counterRoutes } from './modules/counter/counter.routes.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
import { closeLoopRoutes } from './modules/tickets/close-loop/close-loop.routes.ts';
import { appealRoutes } from './modules/tickets/appeal/appeal.routes.ts';
import { feedbackRoutes } from './modules/feedback/feedback.routes.ts';
import { valueRoutes } from './modules/value/value.routes.ts';
import { ticketRoutes } from './modules/tickets/tickets.routes.ts';
import { queueRoutes } from './modules/queue/queue.routes.ts';
import { reportRoutes } from './modules/reports/reports.routes.ts';

/** The app's dependency object: everything from the outside world goes through here (tests swap the clock). */
export interface TAppDeps {
  db: Db;
  config: TConfig;
  clock: TClock;
  /** Queue background work (pg-boss in the server; run inline in tests). */
  jobs: TJobSender;
  /** SMS providers from tenant settings (modules/messaging/sms); tests swap it. Default: the real adapters. */
  sms?: TSmsFactory;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: TAppDeps;
    /** Every /api route with its declared access (for the route × role test and docs). */
    routeAccess: TRouteAccess[];
  }
}

/** Build the app: plugins and module routes. Never listens; server.ts does, tests use inject(). */
export async function buildApp(
  deps: TAppDeps,
  opts: { logger?: boolean; logStream?: NodeJS.WritableStream } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    // logStream: where the log lines go instead of stdout (the PII canary test reads them).
    logger:
      opts.logger === false
        ? false
        : { ...loggerOptions(deps.config.logLevel), ...(opts.logStream ? { stream: opts.logStream } : {}) },
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // X-Forwarded-* only from the configured proxies: from anyone else a client could pick its own IP and with it
    // fresh login-throttle and rate-limit buckets (and a forged IP in the audit log).
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy : false,
    bodyLimit: 1_048_576,
    // Errors the router raises before any route or hook (bad URL encoding, a path parameter over 100 characters).
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only. Fastify's built-in text/plain parser would let a cross-site form (text/plain needs no
  // CORS preflight) reach the handlers; without it such requests get 415 UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  app.decorate('deps', deps);
  const routes: TRouteAccess[] = [];
  app.decorate('routeAccess', routes);
  // Callback-style (not async) hooks on every request: no promise and microtask per hook (bench/README.md).
  app.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-request-id', String(req.id));
    done(null, payload);
  });

  registerErrorHandler(app);
  // Security headers. helmet's middleware is built once here (the Fastify wrapper rebuilt it, CSP parsing included,
  // on every request — measurable on the ingestion hot path), and the headers it sets, which depend only on these
  // options, are worked out once and set on every response (precomputeHeaders).
  const securityHeaders = precomputeHeaders(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // antd's CSS-in-JS injects <style> elements at run time.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      // The app is served over plain HTTP on a LAN as often as behind TLS: HSTS only when configured for HTTPS
      // (an https PUBLIC_BASE_URL or COOKIE_SECURE). Browsers ignore the header on plain-HTTP responses.
      strictTransportSecurity:
        deps.config.hstsMaxAge > 0 ? { maxAge: deps.config.hstsMaxAge, includeSubDomains: false } : false,
    }),
  );
  app.addHook('onRequest', (_req, reply, done) => {
    securityHeaders(reply.raw);
    done();
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false, store: SnapshotRateLimitStore as never });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Huifang 回访 API', version: '0.1.0', description: 'Customer evaluation and follow-up system' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hf_sid' },
          shopApiKey: { type: 'http', scheme: 'bearer', description: 'API client key of a shop (开放接口密钥)' },
        },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(authPlugin, { deps, routes, resolveSession: (token) => resolveSession(deps, token) });
  await app.register(inputGuardPlugin);

  await app.register(
    async (api) => {
      await api.register(healthRoutes);
      await api.register(authRoutes);
      await api.register(dashboardRoutes);
      await api.register(orgUnitRoutes);
      await api.register(userRoutes);
      await api.register(roleRoutes);
      await api.register(auditRoutes);
      await api.register(customerRoutes);
      await api.register(serviceRecordRoutes);
      await api.register(importRoutes);
      await api.register(dataQualityRoutes);
      await api.register(savedFilterRoutes);
      await api.register(settingsRoutes);
      await api.register(evaluationRoutes);
      await api.register(followupRoutes);
      await api.register(followupPathRoutes);
      await api.register(orderReviewRoutes);
      await api.register(reviewPublicRoutes);
      await api.register(surveyRoutes);
      await api.register(surveyPublicRoutes);
      await api.register(messagingRoutes);
      await api.register(receiptRoutes);
      await api.register(autoSendRoutes);
      await api.register(kioskRoutes);
      await api.register(counterRoutes);
      await api.register(notificationRoutes);
      await api.register(closeLoopRoutes);
      await api.register(appealRoutes);
      await api.register(feedbackRoutes);
      await api.register(valueRoutes);
      await api.register(ticketRoutes);
      await api.register(queueRoutes);
      await api.register(reportRoutes);
      api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api' },
  );
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { url: '/api/openapi.json' } as never,
  });

  await registerWeb(app, deps.config.webDist);
  return app;
}

/** Serve the built SPA; unknown non-API GETs fall back to index.html so client routes survive a reload. */
async function registerWeb(app: FastifyInstance, dist: string): Promise<void> {
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) return;
  await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: false });
  const sendIndex = (
    _req: unknown,
    reply: { header: (k: string, v: string) => unknown; sendFile: (f: string) => unknown },
  ) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', sendIndex as never);
  app.get('/*', (req, reply) => {
    if (req.url.startsWith('/api/')) return reply.callNotFound();
    const file = path.join(dist, decodeURIComponent(req.url.split('?')[0] ?? '/'));
    if (file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return reply.sendFile(path.relative(dist, file), { maxAge: '1y', immutable: true });
    }
    return sendIndex(req, reply as never);
  });
}

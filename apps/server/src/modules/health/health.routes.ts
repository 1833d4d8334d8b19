import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'drizzle-orm';
import { z } from 'zod';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary:
          'liveness with a database round trip: 200 ok, or 503 degraded while the database is unreachable (the process keeps serving and recovers by itself)',
        response: {
          200: z.object({ status: z.literal('ok') }),
          503: z.object({ status: z.literal('degraded'), database: z.literal('unavailable') }),
        },
      },
    },
    async (req, reply) => {
      try {
        await app.deps.db.execute(sql`select 1`);
        return { status: 'ok' as const };
      } catch (err) {
        req.log.warn({ err }, 'health check: database unreachable');
        return reply.status(503).send({ status: 'degraded' as const, database: 'unavailable' as const });
      }
    },
  );
};

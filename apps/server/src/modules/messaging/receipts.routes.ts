import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZAliyunSmsReport, ZReceiptResult, ZTencentSmsReport } from '@huifang/shared';
import { applyReceipts, parseReportTime, tenantOfReceiptToken } from './receipts.service.ts';

const ZTokenParams = z.object({ token: z.string().min(1).max(100) });
const hashed = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * SMS delivery receipts 短信回执 pushed by the providers (public: the per-tenant secret token in the URL is the
 * credential — the providers' pushes carry no signature; a wrong token is 404). Rate-limited per token. The reply is
 * what each provider expects for "received" (plus our counts, which the providers ignore).
 */
export const receiptRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['messaging (provider receipts)'];
  const perToken = (req: FastifyRequest) => `sms-receipt:${hashed((req.params as { token?: string }).token ?? '')}`;
  const rateLimit = { max: 600, timeWindow: '1 minute', keyGenerator: perToken };

  app.post(
    '/public/sms-receipts/aliyun/:token',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        security: [],
        summary: '阿里云短信状态报告 Aliyun SmsReport HTTP batch push',
        params: ZTokenParams,
        body: ZAliyunSmsReport,
        response: { 200: z.object({ code: z.number(), msg: z.string(), counts: ZReceiptResult }) },
      },
    },
    async (req) => {
      const tenantId = await tenantOfReceiptToken(deps.db, req.params.token);
      const counts = await applyReceipts(
        deps.db,
        tenantId,
        req.body.map((r) => ({
          providerMessageId: r.biz_id,
          delivered: r.success,
          at: parseReportTime(r.report_time),
          detail: [r.err_code, r.err_msg].filter(Boolean).join(' ') || null,
        })),
        deps.clock.now(),
      );
      if (counts.unknown) req.log.info({ counts }, 'aliyun sms receipts with unknown biz_id ignored');
      return { code: 0, msg: '成功', counts };
    },
  );

  app.post(
    '/public/sms-receipts/tencent/:token',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        security: [],
        summary: '腾讯云短信下发状态回调 Tencent SMS delivery callback',
        params: ZTokenParams,
        body: ZTencentSmsReport,
        response: { 200: z.object({ result: z.number(), errmsg: z.string(), counts: ZReceiptResult }) },
      },
    },
    async (req) => {
      const tenantId = await tenantOfReceiptToken(deps.db, req.params.token);
      const counts = await applyReceipts(
        deps.db,
        tenantId,
        req.body.map((r) => ({
          providerMessageId: r.sid,
          delivered: r.report_status === 'SUCCESS',
          at: parseReportTime(r.user_receive_time),
          detail: [r.errmsg, r.description].filter(Boolean).join(' ') || null,
        })),
        deps.clock.now(),
      );
      if (counts.unknown) req.log.info({ counts }, 'tencent sms receipts with unknown sid ignored');
      return { result: 0, errmsg: 'OK', counts };
    },
  );
};

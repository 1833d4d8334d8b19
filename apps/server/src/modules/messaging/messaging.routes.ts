import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  maskEmail,
  maskPhone,
  ZIdParams,
  ZOutboxListQuery,
  ZOutboxMessage,
  ZOutboxPage,
  ZSmsReceiptToken,
  ZSmsSettings,
  ZSmsSettingsInput,
  type TOutboxMessage,
} from '@huifang/shared';
import { redactPiiText } from '../../lib/redact.ts';
import { listOutbox, type TOutboxRow } from './outbox.repository.ts';
import { requeueMessage } from './outbox.service.ts';
import { rotateReceiptToken } from './receipts.service.ts';
import { getSmsSettings, saveSmsSettings, toSmsSettingsDto } from './sms-settings.service.ts';

const toDto = (r: TOutboxRow, canReveal: boolean): TOutboxMessage => ({
  id: r.id,
  channel: r.channel as TOutboxMessage['channel'],
  // SMS recipients are phone numbers: masked like every phone unless the caller holds pii:reveal (DESIGN §1).
  to: canReveal ? r.to : r.channel === 'email' ? maskEmail(r.to) : maskPhone(r.to),
  subject: r.subject,
  status: r.status as TOutboxMessage['status'],
  attempts: r.attempts,
  // Provider and SMTP errors often quote the recipient ("550 <x@y>: rejected").
  lastError: canReveal || r.lastError === null ? r.lastError : redactPiiText(r.lastError),
  createdAt: r.createdAt.toISOString(),
  sendAfter: r.sendAfter.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
  refType: r.refType,
  isMarketing: r.isMarketing,
  providerMessageId: r.providerMessageId,
  policyOutcome: r.policyOutcome,
  deliveryStatus: (r.deliveryStatus as TOutboxMessage['deliveryStatus']) ?? null,
  deliveredAt: r.deliveredAt?.toISOString() ?? null,
  deliveryError: canReveal || r.deliveryError === null ? r.deliveryError : redactPiiText(r.deliveryError),
});

/** The admin's outbox page 发件箱: what was sent, what waits, what failed (DESIGN §8). */
export const messagingRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['messaging'];
  app.get(
    '/outbox',
    {
      config: { access: 'audit:read' },
      schema: {
        tags,
        summary: '发件箱 outbound messages',
        querystring: ZOutboxListQuery,
        response: { 200: ZOutboxPage },
      },
    },
    async (req) => {
      const { rows, total, counts } = await listOutbox(deps.db, req.scope(), req.query);
      const canReveal = req.actor().permissions.has('pii:reveal');
      return {
        items: rows.map((r) => toDto(r, canReveal)),
        total,
        page: req.query.page,
        pageSize: req.query.pageSize,
        smtpConfigured: Boolean(deps.config.smtpUrl),
        counts,
      };
    },
  );
  app.post(
    '/outbox/:id/requeue',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '重新发送 requeue a failed message',
        params: ZIdParams,
        response: { 200: ZOutboxMessage },
      },
    },
    async (req) =>
      toDto(
        await requeueMessage(deps, req.scope(), req.auditCtx(), req.params.id),
        req.actor().permissions.has('pii:reveal'),
      ),
  );
  // 短信设置: provider + credentials per tenant. The secret is write-only (never in a response or the audit log).
  app.get(
    '/settings/sms',
    {
      config: { access: 'audit:read' },
      schema: {
        tags,
        summary: '短信设置 SMS provider settings (admins: those who read the outbox)',
        response: { 200: ZSmsSettings },
      },
    },
    async (req) => toSmsSettingsDto(await getSmsSettings(deps.db, req.scope().tenantId)),
  );
  app.patch(
    '/settings/sms',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '保存短信设置 save SMS provider settings',
        body: ZSmsSettingsInput,
        response: { 200: ZSmsSettings },
      },
    },
    async (req) => saveSmsSettings(deps, req.auditCtx(), req.body),
  );
  // 短信回执地址: a new per-tenant webhook token, shown once with the URLs for the providers' consoles.
  app.post(
    '/settings/sms/receipt-token',
    {
      config: { access: 'settings:write' },
      schema: {
        tags,
        summary: '生成短信回执地址 new receipt webhook token (shown once)',
        response: { 200: ZSmsReceiptToken },
      },
    },
    async (req) => rotateReceiptToken(deps, req.auditCtx()),
  );
};

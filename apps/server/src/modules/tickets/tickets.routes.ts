import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  TICKET_ATTACHMENT_TYPES,
  ZCreateTicketInput,
  ZIdParams,
  ZPage,
  ZTicket,
  ZTicketActionInput,
  ZTicketAttachmentParams,
  ZTicketAttachmentQuery,
  ZTicketBoard,
  ZTicketBoardQuery,
  ZTicketDetail,
  ZTicketListQuery,
  ZTicketNoteInput,
  ZTicketPolicy,
  ZTicketPolicyInput,
  ZUpdateTicketInput,
} from '@huifang/shared';
import { contentDisposition } from '../../lib/export-file.ts';
import { openTicketAttachment, uploadTicketAttachment } from './ticket-attachments.ts';
import { getTicketPolicy, saveTicketPolicy } from './ticket-policy.service.ts';
import { exportTickets } from './tickets.export.ts';
import {
  actOnTicket,
  addTicketNote,
  createTicket,
  findTickets,
  getTicketBoard,
  getTicketDetail,
  ticketAssignees,
  updateTicket,
} from './tickets.service.ts';

/** Complaint tickets 工单 (DESIGN §6): list, board, detail, manual creation, actions, notes, attachments, export. */
export const ticketRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deps } = app;
  const tags = ['tickets'];
  // Attachments arrive as the raw file body (like imports); only this plugin accepts these content types, and the body
  // stays a stream that the handler writes to disk after the access check.
  for (const type of [...TICKET_ATTACHMENT_TYPES, 'application/octet-stream']) {
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }

  app.get(
    '/tickets',
    {
      config: { access: 'ticket:read' },
      schema: { tags, summary: '工单列表', querystring: ZTicketListQuery, response: { 200: ZPage(ZTicket) } },
    },
    async (req) => findTickets(deps, req.actor(), req.query),
  );
  app.get(
    '/tickets/board',
    {
      config: { access: 'ticket:read' },
      schema: {
        tags,
        summary: '工单看板 (counts per status / SLA state, top cards per status)',
        querystring: ZTicketBoardQuery,
        response: { 200: ZTicketBoard },
      },
    },
    async (req) => getTicketBoard(deps, req.actor(), req.query),
  );
  app.get(
    '/tickets/export',
    {
      config: { access: 'ticket:read' },
      schema: { tags, summary: '导出工单 (xlsx of the filtered list, audited)', querystring: ZTicketListQuery },
    },
    async (req, reply) => {
      const { page: _p, pageSize: _s, ...q } = req.query;
      const file = await exportTickets(deps, req.actor(), req.auditCtx(), q);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );
  app.get(
    '/tickets/:id',
    {
      config: { access: 'ticket:read' },
      schema: { tags, summary: '工单详情', params: ZIdParams, response: { 200: ZTicketDetail } },
    },
    async (req) => getTicketDetail(deps, req.actor(), req.params.id),
  );
  app.get(
    '/tickets/:id/assignees',
    {
      config: { access: 'ticket:read' },
      schema: {
        tags,
        summary: "可分派的处理人 (active, ticket:work, seeing the ticket's unit)",
        params: ZIdParams,
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.string(), displayName: z.string(), unitName: z.string() })),
          }),
        },
      },
    },
    async (req) => ticketAssignees(deps, req.actor(), req.params.id),
  );
  app.post(
    '/tickets',
    {
      config: { access: 'ticket:manage' },
      schema: { tags, summary: '新建工单', body: ZCreateTicketInput, response: { 201: ZTicketDetail } },
    },
    async (req, reply) => reply.status(201).send(await createTicket(deps, req.actor(), req.body)),
  );
  app.patch(
    '/tickets/:id',
    {
      config: { access: 'ticket:manage' },
      schema: {
        tags,
        summary: '修改优先级/类别',
        params: ZIdParams,
        body: ZUpdateTicketInput,
        response: { 200: ZTicketDetail },
      },
    },
    async (req) => updateTicket(deps, req.actor(), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/actions',
    {
      config: { access: 'ticket:work' },
      schema: {
        tags,
        summary: '工单操作 (assign, start, wait_customer, customer_replied, resolve, close, reopen, escalate)',
        params: ZIdParams,
        body: ZTicketActionInput,
        response: { 200: ZTicketDetail },
      },
    },
    async (req) => actOnTicket(deps, req.actor(), req.params.id, req.body),
  );
  app.post(
    '/tickets/:id/notes',
    {
      config: { access: 'ticket:work' },
      schema: {
        tags,
        summary: '添加备注',
        params: ZIdParams,
        body: ZTicketNoteInput,
        response: { 201: ZTicketDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await addTicketNote(deps, req.actor(), req.params.id, req.body)),
  );
  app.post(
    '/tickets/:id/attachments',
    {
      config: { access: 'ticket:work' },
      schema: {
        tags,
        summary: '上传附件 (raw file body: image, PDF or office document, ≤ 10 MB)',
        params: ZIdParams,
        querystring: ZTicketAttachmentQuery,
        response: { 201: ZTicketDetail },
      },
    },
    async (req, reply) => {
      const body = req.body instanceof Readable ? req.body : Readable.from([]);
      const declaredBytes = Number(req.headers['content-length'] ?? 0) || undefined;
      return reply.status(201).send(
        await uploadTicketAttachment(deps, req.actor(), req.params.id, {
          fileName: req.query.fileName,
          body,
          declaredBytes,
        }),
      );
    },
  );
  app.get(
    '/tickets/:id/attachments/:aid',
    {
      config: { access: 'ticket:read' },
      schema: { tags, summary: '下载附件', params: ZTicketAttachmentParams },
    },
    async (req, reply) => {
      const file = await openTicketAttachment(deps, req.actor(), req.params.id, req.params.aid);
      return reply
        .header('content-type', file.mimeType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', contentDisposition(file.fileName))
        .send(file.stream);
    },
  );

  app.get(
    '/settings/ticket-policy',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['settings'], summary: '工单策略 (自动建单阈值、优先级)', response: { 200: ZTicketPolicy } },
    },
    async (req) => getTicketPolicy(deps.db, req.scope().tenantId),
  );
  app.put(
    '/settings/ticket-policy',
    {
      config: { access: 'settings:write' },
      schema: {
        tags: ['settings'],
        summary: '修改工单策略',
        body: ZTicketPolicyInput,
        response: { 200: ZTicketPolicy },
      },
    },
    async (req) => saveTicketPolicy(deps, req.scope(), req.auditCtx(), req.body),
  );
};

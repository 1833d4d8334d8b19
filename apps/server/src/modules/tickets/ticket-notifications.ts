import { sql } from 'drizzle-orm';
import { ticketNumber } from '@huifang/shared';
import { pgArray } from '../../lib/scope.ts';
import { enqueueMessages } from '../messaging/outbox.repository.ts';
import { enqueueStaffSms } from '../messaging/templates.ts';
import { findUnitManagers, notify } from '../notifications/notifications.service.ts';
import type { TTicketListener } from './ticket-listeners.ts';

/** The ticket detail page; every ticket notice links there. */
export const ticketLink = (ticketId: string) => `/tickets/${ticketId}`;

const TITLES = {
  created: '新工单',
  assign: '工单已分派给您',
  escalate: '工单已升级给您',
} as const;

/**
 * Who hears of a ticket (DESIGN §6, §8), in the transaction of its event: on `created`, `assign` and `escalate` the
 * (new) assignee gets an in-app notice; on `created` also the outlet's manager(s) — the nearest users holding
 * ticket:manage at or above the ticket's unit. Whoever caused the event is not told of it. Each recipient with an
 * e-mail address also gets an e-mail, and each with a mobile number an SMS, through the outbox (sent by the outbox
 * job, exactly once: the SMS carries a once-only key per event and person). Without an SMS provider configured the
 * SMS is recorded by the log provider, as every SMS is (messaging/sms/provider.ts).
 */
export const TICKET_SMS_TEMPLATE = '【工单】{标题}：{工单}（{网点}），请及时登录慧访处理。';
const CN_MOBILE = /^1[3-9]\d{9}$/;

export const notifyTicketPeople: TTicketListener = async (tx, ticket, event) => {
  if (event.type !== 'created' && event.type !== 'assign' && event.type !== 'escalate') return;
  const kind = event.type;
  const recipients = new Map<string, 'assignee' | 'manager'>();
  if (ticket.assigneeId) recipients.set(ticket.assigneeId, 'assignee');
  if (kind === 'created')
    for (const id of await findUnitManagers(tx, ticket.tenantId, ticket.unitId, 'ticket:manage'))
      if (!recipients.has(id)) recipients.set(id, 'manager');
  if (event.actorId) recipients.delete(event.actorId);
  if (recipients.size === 0) return;
  const no = ticketNumber(ticket.seq);
  const link = ticketLink(ticket.id);
  const unit = await tx.execute<{ name: string }>(
    sql`select name from org_units where tenant_id = ${ticket.tenantId} and id = ${ticket.unitId}`,
  );
  const body = `${no} ${ticket.title}（${unit.rows[0]?.name ?? ''}）`;
  const byRole = (role: 'assignee' | 'manager') => [...recipients].filter(([, r]) => r === role).map(([id]) => id);
  const titleFor = (role: 'assignee' | 'manager') =>
    role === 'manager' ? `网点新工单：${no}` : `${TITLES[kind]}：${no}`;
  for (const role of ['assignee', 'manager'] as const) {
    const userIds = byRole(role);
    if (userIds.length === 0) continue;
    await notify(tx, {
      tenantId: ticket.tenantId,
      userIds,
      kind: `ticket.${kind}`,
      title: titleFor(role),
      body,
      link,
      at: event.at,
    });
  }
  const emails = await tx.execute<{ id: string; email: string }>(sql`
    select id, email from users where tenant_id = ${ticket.tenantId} and id = any(${pgArray([...recipients.keys()], 'uuid')})
      and is_active and email is not null and email <> ''`);
  await enqueueMessages(
    tx,
    event.at,
    emails.rows.map((u) => ({
      tenantId: ticket.tenantId,
      unitId: ticket.unitId,
      channel: 'email' as const,
      to: u.email,
      subject: `[慧访] ${titleFor(recipients.get(u.id)!)}`,
      body: `${titleFor(recipients.get(u.id)!)}\n${body}\n请登录慧访处理：${link}`,
      refType: 'ticket',
      refId: ticket.id,
    })),
  );
  const phones = await tx.execute<{ id: string; phone: string | null }>(sql`
    select id, phone from users where tenant_id = ${ticket.tenantId} and id = any(${pgArray([...recipients.keys()], 'uuid')})
      and is_active and phone is not null`);
  await enqueueStaffSms(
    tx,
    event.at,
    phones.rows
      .map((u) => ({ id: u.id, phone: (u.phone ?? '').replace(/[\s-]/g, '') }))
      .filter((u) => CN_MOBILE.test(u.phone))
      .map((u) => ({
        tenantId: ticket.tenantId,
        unitId: ticket.unitId,
        to: u.phone,
        template: TICKET_SMS_TEMPLATE,
        values: { 标题: titleFor(recipients.get(u.id)!).split('：')[0]!, 工单: no, 网点: unit.rows[0]?.name ?? '' },
        refType: 'ticket',
        refId: ticket.id,
        dedupeKey: `ticket_${kind}:${event.id}:${u.id}`,
      })),
  );
};

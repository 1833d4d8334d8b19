import { sql } from 'drizzle-orm';
import { maskName, type TPotentialCustomerFlag, type TPotentialCustomerInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { addCustomerTag, matchOrCreateQuickCustomer } from '../customers/quick-customer.ts';
import { onPotentialCustomer } from '../followup/rules/rules.ts';
import { POTENTIAL_CUSTOMER_SMS_TEMPLATE, smsOutletHeads } from '../notifications/outlet-head-sms.ts';
import { levelAssignee } from '../tickets/escalation.ts';

type TDeps = { db: Db; clock: TClock };

/** The tag a flagged customer carries in the customer list (filterable there). */
export const POTENTIAL_CUSTOMER_TAG = '潜力客户';

type TFlagRow = {
  id: string;
  session_id: string;
  customer_id: string;
  customer_source: TPotentialCustomerFlag['customerSource'];
  flagged_at: Date | string;
  customer_name: string | null;
};

async function findFlag(db: DbOrTx, tenantId: string, sessionId: string) {
  const res = await db.execute<TFlagRow>(sql`
    select pc.id, pc.session_id, pc.customer_id, pc.customer_source, pc.flagged_at, c.name as customer_name
    from counter_potential_customers pc left join customers c on c.tenant_id = pc.tenant_id and c.id = pc.customer_id
    where pc.tenant_id = ${tenantId} and pc.session_id = ${sessionId}`);
  return res.rows[0] ?? null;
}

const toDto = (r: TFlagRow, extra: { smsQueued: number; taskCreated: boolean; isRepeat: boolean }) => ({
  id: r.id,
  sessionId: r.session_id,
  customerId: r.customer_id,
  customerName: maskName(r.customer_name ?? ''),
  customerSource: r.customer_source,
  flaggedAt: new Date(r.flagged_at).toISOString(),
  ...extra,
});

/**
 * 潜力客户 (DESIGN §6): the teller flags the customer of their own service — during it or after it — with one click.
 * In one transaction: the flag (once per session: a second click returns the first and does nothing more), the 潜力客户
 * tag on the customer, an SMS to the outlet head(s) at once (outbox, once per session and head), and a follow-up task
 * for the customer's owner — or, when the customer has none, the outlet's 客服 (levelAssignee level 0) — through the
 * follow-up plan 潜力客户跟进 (followup/rules onPotentialCustomer). Without a customer linked to the service, the quick
 * form (name + phone) names one: the outlet's customer with that phone, or a new customer of the outlet, who is then
 * linked to the service. Another teller's session, or an unknown one, is a 404.
 */
export async function flagPotentialCustomer(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  sessionId: string,
  input: TPotentialCustomerInput,
): Promise<TPotentialCustomerFlag> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Lock the session: two clicks at once are serialised, the second sees the first's flag.
    const res = await tx.execute<{
      id: string;
      outlet_id: string;
      counter_id: string;
      customer_id: string | null;
      counter_name: string | null;
      staff_name: string;
      staff_no: string | null;
    }>(sql`
      select s.id, s.outlet_id, s.counter_id, s.customer_id, c.name as counter_name, u.display_name as staff_name, u.staff_no
      from service_sessions s left join org_units c on c.id = s.counter_id join users u on u.id = s.staff_id
      where s.tenant_id = ${scope.tenantId} and s.id = ${sessionId} and s.staff_id = ${scope.userId}
      for update of s`);
    const session = res.rows[0];
    if (!session) throw notFound('service session');
    const existing = await findFlag(tx, scope.tenantId, sessionId);
    if (existing) return toDto(existing, { smsQueued: 0, taskCreated: false, isRepeat: true });

    let customer: {
      id: string;
      name: string;
      ownerId: string | null;
      source: TPotentialCustomerFlag['customerSource'];
    };
    if (session.customer_id) {
      const c = await tx.execute<{ name: string; owner_id: string | null }>(
        sql`select name, owner_id from customers where tenant_id = ${scope.tenantId} and id = ${session.customer_id}`,
      );
      customer = {
        id: session.customer_id,
        name: c.rows[0]?.name ?? '',
        ownerId: c.rows[0]?.owner_id ?? null,
        source: 'linked',
      };
    } else if (input.customer) {
      const q = await matchOrCreateQuickCustomer(tx, ctx, {
        tenantId: scope.tenantId,
        outletId: session.outlet_id,
        name: input.customer.name,
        phone: input.customer.phone,
        tags: [POTENTIAL_CUSTOMER_TAG],
        now,
      });
      customer = q;
      await tx.execute(sql`update service_sessions set customer_id = ${q.id}
        where tenant_id = ${scope.tenantId} and id = ${sessionId} and customer_id is null`);
    } else {
      const msg = 'no customer is linked to this service: give the name and phone';
      throw new AppError('VALIDATION_FAILED', msg, { details: [{ path: 'body.customer', message: msg }] });
    }

    const flagId = crypto.randomUUID();
    await tx.execute(sql`
      insert into counter_potential_customers (id, tenant_id, session_id, customer_id, outlet_id, counter_id, staff_id, customer_source, flagged_at)
      values (${flagId}, ${scope.tenantId}, ${sessionId}, ${customer.id}, ${session.outlet_id}, ${session.counter_id}, ${scope.userId}, ${customer.source}, ${now})`);
    await addCustomerTag(tx, { tenantId: scope.tenantId, customerId: customer.id, tag: POTENTIAL_CUSTOMER_TAG, now });

    const smsQueued = await smsOutletHeads(tx, {
      tenantId: scope.tenantId,
      unitId: session.outlet_id,
      template: POTENTIAL_CUSTOMER_SMS_TEMPLATE,
      values: {
        窗口: session.counter_name ?? '',
        员工: `${session.staff_name}${session.staff_no ? `（${session.staff_no}）` : ''}`,
        客户: maskName(customer.name),
      },
      at: now,
      refType: 'potential_customer',
      refId: flagId,
      dedupeKey: `potential_customer:${sessionId}`,
    });

    const owner = customer.ownerId
      ? (
          await tx.execute<{ id: string }>(
            sql`select id from users where tenant_id = ${scope.tenantId} and id = ${customer.ownerId} and is_active`,
          )
        ).rows[0]?.id
      : undefined;
    const assigneeId = owner ?? (await levelAssignee(tx, scope.tenantId, session.outlet_id, 0));
    const tasks = await onPotentialCustomer(tx, {
      tenantId: scope.tenantId,
      customerId: customer.id,
      sessionId,
      assigneeId,
      actorId: scope.userId,
      now,
    });

    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'counter.potential_customer_flagged',
        entityType: 'service_session',
        entityId: sessionId,
        unitId: session.outlet_id,
        summary: `标记潜力客户 ${maskName(customer.name)}`,
        after: { customerId: customer.id, customerSource: customer.source, smsQueued, taskCreated: tasks > 0 },
      },
      now,
    );
    const flag = await findFlag(tx, scope.tenantId, sessionId);
    return toDto(flag!, { smsQueued, taskCreated: tasks > 0, isRepeat: false });
  });
}

/** A merge of duplicate customers (data-quality) moves their 潜力客户 flags to the kept customer; in its transaction. */
export async function moveFlagsToCustomer(
  tx: DbOrTx,
  e: { tenantId: string; fromIds: string[]; keepId: string },
): Promise<void> {
  if (e.fromIds.length === 0) return;
  await tx.execute(sql`update counter_potential_customers set customer_id = ${e.keepId}
    where tenant_id = ${e.tenantId} and customer_id in (${sql.join(
      e.fromIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`);
}

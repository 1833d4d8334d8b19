import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditRowsOfRequest, countRows, expectError, rootUnitId } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { customers, outboxMessages, tenantContactPolicies } from '../../db/schema/index.ts';
import { sendDueSms } from '../messaging/outbox.sender.ts';
import type { TSmsProvider, TSmsRequest } from '../messaging/sms/provider.ts';
import { enqueueSms } from '../messaging/templates.ts';

/**
 * The tenant contact policy (settings → 联系策略) end to end: the admin edits it through the API (validated, audited),
 * and the real SMS sender applies it — quiet hours and gap from the tenant's row, not a constant; a do-not-contact
 * date defers a message to the first contact hour of that date and it is sent then; an opt-out still blocks.
 */
let t: TTestApp;
let admin: TClient;
let unitId: string;
const sent: TSmsRequest[] = [];
const provider: TSmsProvider = {
  name: 'test',
  send: async (req) => {
    sent.push(req);
    return { providerMessageId: `p-${sent.length}` };
  },
};
const send = () => sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: () => provider });
const put = (c: TClient, payload: unknown) =>
  c.request({ method: 'PUT', url: '/api/settings/contact-policy', payload: payload as Record<string, unknown> });

async function newCustomer(set: Partial<typeof customers.$inferInsert> = {}) {
  const id = crypto.randomUUID();
  await t.db
    .insert(customers)
    .values({ id, tenantId: t.tenantId, name: '李四', unitId, phones: ['13900000000'], ...set });
  return id;
}
async function queue(customerId: string) {
  const [id] = await enqueueSms(t.db, t.clock.now(), [
    { tenantId: t.tenantId, customerId, to: '13900000000', template: '{客户姓名}您好', values: { 客户姓名: '李先生' } },
  ]);
  return id!;
}
async function row(id: string) {
  const [r] = await t.db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.tenantId, t.tenantId), eq(outboxMessages.id, id)));
  return r!;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  unitId = await rootUnitId(t);
});
afterAll(async () => t.close());
beforeEach(async () => {
  sent.length = 0;
  await t.db.delete(tenantContactPolicies);
  // Nothing left due from an earlier test.
  await t.db.update(outboxMessages).set({ status: 'cancelled' }).where(eq(outboxMessages.status, 'queued'));
});

describe('contact policy settings', () => {
  it('defaults 21:00–09:00 / 7 days until saved; saving is audited with before and after', async () => {
    expect((await admin.get('/api/settings/contact-policy')).json()).toEqual({
      quietFromHour: 21,
      quietToHour: 9,
      minGapDays: 7,
      updatedAt: null,
    });
    const res = await put(admin, { quietFromHour: 20, quietToHour: 8, minGapDays: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ quietFromHour: 20, quietToHour: 8, minGapDays: 3 });
    expect((await admin.get('/api/settings/contact-policy')).json()).toMatchObject({
      quietFromHour: 20,
      quietToHour: 8,
      minGapDays: 3,
    });
    const audit = await auditRowsOfRequest(t, res);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'contact_policy.changed',
      before: { quietFromHour: 21, quietToHour: 9, minGapDays: 7 },
      after: { quietFromHour: 20, quietToHour: 8, minGapDays: 3 },
    });
  });

  it('bad input → 400 with the field path, nothing written', async () => {
    const cases: [unknown, string][] = [
      [{ quietFromHour: 24, quietToHour: 9, minGapDays: 7 }, 'body.quietFromHour'],
      [{ quietFromHour: 21, quietToHour: -1, minGapDays: 7 }, 'body.quietToHour'],
      [{ quietFromHour: 21, quietToHour: 21, minGapDays: 7 }, 'body.quietToHour'],
      [{ quietFromHour: 21, quietToHour: 9, minGapDays: 366 }, 'body.minGapDays'],
      [{ quietFromHour: 21.5, quietToHour: 9, minGapDays: 7 }, 'body.quietFromHour'],
    ];
    const audits = await countRows(t, `select 1 from audit_events where action = 'contact_policy.changed'`);
    for (const [payload, path] of cases) expectError(await put(admin, payload), 400, 'VALIDATION_FAILED', [path]);
    expect(await countRows(t, 'select 1 from tenant_contact_policies')).toBe(0);
    expect(await countRows(t, `select 1 from audit_events where action = 'contact_policy.changed'`)).toBe(audits);
  });

  it('only settings:write may change it (an agent gets 403); everyone signed in may read it (plan form defaults)', async () => {
    const agent = await t.login('liu.agent');
    expectError(await put(agent, { quietFromHour: 22, quietToHour: 8, minGapDays: 1 }), 403, 'FORBIDDEN');
    expect((await agent.get('/api/settings/contact-policy')).statusCode).toBe(200);
  });
});

describe('the sender applies the tenant policy', () => {
  it('quiet hours come from the tenant: 20:30 is quiet with quiet hours from 20:00, not with the default 21:00', async () => {
    t.clock.set(new Date('2026-11-23T12:30:00Z')); // 20:30 Shanghai
    const a = await queue(await newCustomer());
    await send();
    expect(await row(a)).toMatchObject({ status: 'sent' });

    // (a session of the moved clock: sessions expire by the same clock)
    expect((await put(await t.login('admin'), { quietFromHour: 20, quietToHour: 8, minGapDays: 7 })).statusCode).toBe(
      200,
    );
    const b = await queue(await newCustomer());
    await send();
    // deferred to 08:00 next morning (the tenant's end of quiet hours), not 09:00
    expect(await row(b)).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:quiet_hours',
      sendAfter: new Date('2026-11-24T00:00:00Z'),
    });
    t.clock.set(new Date('2026-11-24T00:00:00Z'));
    await send();
    expect(await row(b)).toMatchObject({ status: 'sent' });
  });

  it('the gap comes from the tenant: 2 days instead of 7', async () => {
    t.clock.set(new Date('2026-11-23T02:00:00Z')); // Mon 10:00
    expect((await put(await t.login('admin'), { quietFromHour: 21, quietToHour: 9, minGapDays: 2 })).statusCode).toBe(
      200,
    );
    const c = await newCustomer();
    await queue(c);
    await send();
    t.clock.set(new Date('2026-11-24T02:00:00Z'));
    const second = await queue(c);
    await send();
    expect(await row(second)).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:recent_contact',
      sendAfter: new Date('2026-11-25T02:00:00Z'),
    });
    t.clock.set(new Date('2026-11-25T02:00:00Z'));
    await send();
    expect(await row(second)).toMatchObject({ status: 'sent' });
  });

  it('a do-not-contact date defers the message to the first contact hour of that date, and it is sent then', async () => {
    t.clock.set(new Date('2026-11-23T02:00:00Z')); // Mon 10:00 Shanghai
    // The customer asked not to be contacted before Friday 27 Nov (local midnight).
    const c = await newCustomer({ doNotContactUntil: new Date('2026-11-26T16:00:00Z') });
    const id = await queue(c);
    await send();
    expect(sent).toHaveLength(0);
    expect(await row(id)).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:do_not_contact',
      sendAfter: new Date('2026-11-27T01:00:00Z'),
    });
    t.clock.set(new Date('2026-11-26T15:00:00Z')); // Thu 23:00 — still before the date
    await send();
    expect(sent).toHaveLength(0);
    t.clock.set(new Date('2026-11-27T01:00:00Z')); // Fri 09:00
    await send();
    expect(await row(id)).toMatchObject({ status: 'sent' });
    expect(sent).toHaveLength(1);
  });

  it('an opt-out (consent withdrawn) still blocks, also with a do-not-contact date', async () => {
    t.clock.set(new Date('2026-11-23T02:00:00Z'));
    const c = await newCustomer({ consentService: false, doNotContactUntil: new Date('2026-11-26T16:00:00Z') });
    const id = await queue(c);
    await send();
    expect(await row(id)).toMatchObject({ status: 'cancelled', policyOutcome: 'blocked:no_service_consent' });
    t.clock.set(new Date('2026-11-28T02:00:00Z'));
    await send();
    expect(sent).toHaveLength(0);
  });
});

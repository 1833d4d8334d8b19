import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rootUnitId } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { contactEvents, customers, outboxMessages } from '../../db/schema/index.ts';
import { sendDueSms } from './outbox.sender.ts';
import type { TSmsProvider, TSmsRequest } from './sms/provider.ts';
import { enqueueSms } from './templates.ts';

/** The outside world's only fake: a provider that captures what would have gone out. */
function capturing(
  behaviour: (req: TSmsRequest, n: number) => Promise<{ providerMessageId: string }> = async (_r, n) => ({
    providerMessageId: `p-${n}`,
  }),
) {
  const sent: TSmsRequest[] = [];
  const provider: TSmsProvider = {
    name: 'test',
    send: (req) => {
      sent.push(req);
      return behaviour(req, sent.length);
    },
  };
  return { sent, factory: () => provider };
}

let t: TTestApp;
let unitId: string;
const DAY = 86_400_000;
// 10:00 in Asia/Shanghai
const MORNING = new Date('2026-11-23T02:00:00Z');

async function newCustomer(set: Partial<typeof customers.$inferInsert> = {}) {
  const id = crypto.randomUUID();
  await t.db
    .insert(customers)
    .values({ id, tenantId: t.tenantId, name: '张三', unitId, phones: ['13800000000'], ...set });
  return id;
}
async function queue(customerId: string, extra: { isMarketing?: boolean; template?: string } = {}) {
  const [id] = await enqueueSms(t.db, t.clock.now(), [
    {
      tenantId: t.tenantId,
      customerId,
      to: '13800000000',
      template: extra.template ?? '{客户姓名}您好，感谢您到{网点名称}办理业务',
      values: { 客户姓名: '张先生', 网点名称: '陆家嘴支行' },
      templateCode: 'SMS_1',
      isMarketing: extra.isMarketing,
    },
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
const eventsOf = (customerId: string) =>
  t.db.select().from(contactEvents).where(eq(contactEvents.customerId, customerId));

beforeAll(async () => {
  t = await createTestApp();
  unitId = await rootUnitId(t);
});
afterAll(async () => t.close());
beforeEach(() => t.clock.set(MORNING));

describe('SMS through the outbox', () => {
  it('renders the template, sends through the provider, records sent + provider id + the contact event together', async () => {
    const c = await newCustomer();
    const id = await queue(c);
    const cap = capturing();
    const r = await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(r).toMatchObject({ sent: 1, failed: 0 });
    expect(cap.sent).toEqual([
      {
        to: '13800000000',
        text: '张先生您好，感谢您到陆家嘴支行办理业务',
        templateCode: 'SMS_1',
        params: { 客户姓名: '张先生', 网点名称: '陆家嘴支行' },
      },
    ]);
    expect(await row(id)).toMatchObject({ status: 'sent', providerMessageId: 'p-1', sentAt: MORNING, attempts: 1 });
    expect(await eventsOf(c)).toMatchObject([{ channel: 'sms', refType: 'outbox_message', refId: id, at: MORNING }]);
  });

  it('a marketing SMS carries the opt-out text', async () => {
    const c = await newCustomer({ consentMarketing: true });
    await queue(c, { isMarketing: true, template: '{客户姓名}，理财节活动开始了' });
    const cap = capturing();
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent.map((s) => s.text)).toEqual(['张先生，理财节活动开始了 拒收请回复R']);
  });

  it('a provider error after the claim: the message is requeued (not lost) and later sent exactly once', async () => {
    const c = await newCustomer();
    const id = await queue(c);
    const failing = capturing(async () => {
      throw new Error('isv.BUSINESS_LIMIT_CONTROL');
    });
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: failing.factory });
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'isv.BUSINESS_LIMIT_CONTROL' });
    expect(await eventsOf(c)).toEqual([]);
    const ok = capturing();
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: ok.factory });
    expect(ok.sent).toHaveLength(0); // backoff: not yet
    t.clock.advance(3 * 60_000);
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: ok.factory });
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: ok.factory });
    expect(ok.sent).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(await eventsOf(c)).toHaveLength(1);
  });

  it('sends several at a time (the provider waits overlap), each message once with its own provider id; a failing one does not hold up the rest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await queue(await newCustomer()));
    let inFlight = 0;
    let peak = 0;
    const slow = capturing(async (req, n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight -= 1;
      if (n === 3) throw new Error('isv.MOBILE_NUMBER_ILLEGAL');
      return { providerMessageId: `p-${n}` };
    });
    const r = await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: slow.factory, concurrency: 4 });
    expect(peak).toBe(4);
    expect(slow.sent).toHaveLength(12);
    expect(r).toMatchObject({ sent: 11, failed: 0 });
    const rows = await Promise.all(ids.map(row));
    expect(rows.filter((x) => x.status === 'sent')).toHaveLength(11);
    expect(new Set(rows.map((x) => x.providerMessageId).filter(Boolean)).size).toBe(11);
    expect(rows.filter((x) => x.status === 'queued')).toMatchObject([
      { attempts: 1, lastError: 'isv.MOBILE_NUMBER_ILLEGAL' },
    ]);
    // Tests share the tenant and its clock: the requeued one must not go out in a later test.
    await t.db
      .update(outboxMessages)
      .set({ status: 'cancelled' })
      .where(and(eq(outboxMessages.tenantId, t.tenantId), eq(outboxMessages.status, 'queued')));
  });

  it('a worker abandoned mid-send (provider called, outcome never recorded): never resent, shown as failed "delivery unknown", and counted as a contact', async () => {
    const c = await newCustomer();
    const id = await queue(c);
    // The provider accepts the call and the process "dies": the promise never settles, nothing after it runs.
    const hung = capturing(() => new Promise(() => undefined));
    void sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: hung.factory });
    for (let i = 0; i < 200 && hung.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hung.sent).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sending' });

    const next = capturing();
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: next.factory });
    expect(next.sent).toHaveLength(0); // still claimed: not sent by another worker
    t.clock.advance(11 * 60_000);
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: next.factory });
    expect(next.sent).toHaveLength(0);
    expect(await row(id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('delivery unknown') });
    // It may have reached the customer: a new message to them waits out the gap.
    const id2 = await queue(c);
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: next.factory });
    expect(next.sent).toHaveLength(0);
    expect(await row(id2)).toMatchObject({ status: 'queued', policyOutcome: 'deferred:recent_contact' });
  });
});

describe('contact policy in the sender', () => {
  it('quiet hours defer to 09:00 tenant time, not drop', async () => {
    t.clock.set('2026-11-23T14:30:00Z'); // 22:30 Shanghai
    const c = await newCustomer();
    const id = await queue(c);
    const cap = capturing();
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent).toHaveLength(0);
    expect(await row(id)).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:quiet_hours',
      sendAfter: new Date('2026-11-24T01:00:00Z'),
    });
    t.clock.set('2026-11-24T01:00:00Z');
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent).toHaveLength(1);
  });

  it('one contact per customer per 7 days across channels: the second waits until the gap has passed', async () => {
    const c = await newCustomer();
    await t.db
      .insert(contactEvents)
      .values({ tenantId: t.tenantId, customerId: c, at: new Date(MORNING.getTime() - 2 * DAY), channel: 'phone' });
    const id = await queue(c);
    const cap = capturing();
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent).toHaveLength(0);
    expect(await row(id)).toMatchObject({
      policyOutcome: 'deferred:recent_contact',
      sendAfter: new Date(MORNING.getTime() + 5 * DAY),
    });
    // Two queued in one batch: only one goes.
    const c2 = await newCustomer();
    await queue(c2);
    await queue(c2);
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent).toHaveLength(1);
  });

  it('opt-out after queueing is honoured at send time; missing marketing consent blocks; a do-not-contact date defers (issue 5: to that date, not dropped)', async () => {
    const optedOut = await newCustomer();
    const a = await queue(optedOut);
    await t.db.update(customers).set({ consentService: false }).where(eq(customers.id, optedOut));
    const dnc = await newCustomer({ doNotContactUntil: new Date(MORNING.getTime() + 30 * DAY) });
    const b = await queue(dnc);
    const noMkt = await newCustomer({ consentMarketing: false });
    const m = await queue(noMkt, { isMarketing: true });
    const cap = capturing();
    const r = await sendDueSms({ db: t.db, clock: t.clock, mail: undefined, sms: cap.factory });
    expect(cap.sent).toHaveLength(0);
    expect(r.cancelled).toBe(2);
    expect(await row(a)).toMatchObject({ status: 'cancelled', policyOutcome: 'blocked:no_service_consent' });
    // 30 days later at 10:00 Shanghai: inside contact hours, so exactly the do-not-contact instant.
    expect(await row(b)).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:do_not_contact',
      sendAfter: new Date(MORNING.getTime() + 30 * DAY),
    });
    expect(await row(m)).toMatchObject({ status: 'cancelled', policyOutcome: 'blocked:no_marketing_consent' });
  });
});

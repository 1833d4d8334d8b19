import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootUnitId } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { contactEvents, customers, outboxMessages } from '../../db/schema/index.ts';
import { enqueueMessages } from './outbox.repository.ts';
import { sendDueEmails, sendDueSms } from './outbox.sender.ts';

/** A real SMTP server: every accepted message lands here. */
const mails: string[][] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      mails.push(session.envelope.rcptTo.map((r) => r.address));
      cb();
    });
  },
});

let t: TTestApp;
let smtpUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  t = await createTestApp();
  t.clock.set('2026-11-23T02:00:00Z'); // 10:00 Shanghai
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('contact policy for e-mail (same sender rules as SMS, counted across channels)', () => {
  it('an e-mail to a customer writes a contact event; an SMS to them the same day waits out the 7-day gap; staff mail is not policed', async () => {
    const unitId = await rootUnitId(t);
    const c = crypto.randomUUID();
    await t.db
      .insert(customers)
      .values({ id: c, tenantId: t.tenantId, name: '钱七', unitId, phones: ['13700000000'], email: 'qian@example.cn' });
    const [mailId, smsId, staffId] = await enqueueMessages(t.db, t.clock.now(), [
      { tenantId: t.tenantId, channel: 'email', to: 'qian@example.cn', subject: '回访', body: '您好', customerId: c },
      { tenantId: t.tenantId, channel: 'sms', to: '13700000000', body: '您好', customerId: c },
      { tenantId: t.tenantId, channel: 'email', to: 'staff@example.cn', subject: '提醒', body: '任务到期' },
    ]);
    const mail = { smtpUrl, mailFrom: 'huifang@example.cn' };
    await sendDueEmails({ db: t.db, clock: t.clock, mail });
    expect(mails.sort()).toEqual([['qian@example.cn'], ['staff@example.cn']]);
    expect(await t.db.select().from(contactEvents).where(eq(contactEvents.customerId, c))).toMatchObject([
      { channel: 'email', refId: mailId },
    ]);
    const sent: string[] = [];
    await sendDueSms({
      db: t.db,
      clock: t.clock,
      mail,
      sms: () => ({ name: 'c', send: async (r) => (sent.push(r.to), { providerMessageId: 'x' }) }),
    });
    expect(sent).toEqual([]);
    const [sms] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.tenantId, t.tenantId), eq(outboxMessages.id, smsId!)));
    expect(sms).toMatchObject({
      status: 'queued',
      policyOutcome: 'deferred:recent_contact',
      sendAfter: new Date('2026-11-30T02:00:00Z'),
    });
    const [staff] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.tenantId, t.tenantId), eq(outboxMessages.id, staffId!)));
    expect(staff).toMatchObject({ status: 'sent', policyOutcome: null });

    // An opted-out customer's e-mail is blocked at send time.
    await t.db.update(customers).set({ consentService: false }).where(eq(customers.id, c));
    t.clock.set('2026-12-01T02:00:00Z');
    const [later] = await enqueueMessages(t.db, t.clock.now(), [
      { tenantId: t.tenantId, channel: 'email', to: 'qian@example.cn', subject: '回访', body: '您好', customerId: c },
    ]);
    mails.length = 0;
    await sendDueEmails({ db: t.db, clock: t.clock, mail });
    expect(mails).toEqual([]);
    const [l] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.tenantId, t.tenantId), eq(outboxMessages.id, later!)));
    expect(l).toMatchObject({ status: 'cancelled', policyOutcome: 'blocked:no_service_consent' });
  });
});

import { eq, inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootUnitId } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { contactEvents, customers, outboxMessages, tenantContactPolicies } from '../../db/schema/index.ts';
import { localParts } from '../policy/calendar.ts';
import { sendDueSms } from './outbox.sender.ts';
import type { TSmsProvider } from './sms/provider.ts';
import { enqueueSms } from './templates.ts';

/**
 * Property: whatever the tenant's policy (quiet hours, gap), the schedule, the customers (consents, opt-outs,
 * do-not-contact dates, earlier contacts) and the stream of messages, the real sender (real Postgres, fake clock, a
 * provider that only records) never sends against the contact policy, never sends a message twice, never loses one
 * silently, and never drops a message only because of a do-not-contact date (that defers it).
 */
const MIN = 60_000;
const DAY = 86_400_000;
const T0 = new Date('2026-11-02T00:00:00Z').getTime(); // 08:00 Shanghai

const arbCustomer = fc.record({
  consentService: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
  consentMarketing: fc.boolean(),
  /** do_not_contact_until relative to T0 in hours (null = none). */
  dncHours: fc.option(fc.integer({ min: -48, max: 24 * 12 }), { nil: null, freq: 3 }),
  /** An earlier contact on another channel, hours before T0. */
  priorContactHours: fc.option(fc.integer({ min: 1, max: 24 * 10 }), { nil: null }),
  /** Opts out at this step of the schedule (null = never). */
  optOutAtStep: fc.option(fc.integer({ min: 0, max: 29 }), { nil: null, freq: 3 }),
});
const arbMessage = fc.record({ customer: fc.nat(), marketing: fc.boolean(), atStep: fc.integer({ min: 0, max: 29 }) });
/** The tenant's policy: quiet hours from 19…24(=0) to 6…10 local, gap 0…10 days. */
const arbPolicy = fc.record({
  quietFromHour: fc.integer({ min: 19, max: 24 }).map((h) => h % 24),
  quietToHour: fc.integer({ min: 6, max: 10 }),
  minGapDays: fc.integer({ min: 0, max: 10 }),
});
/** Quiet at this local hour? Written out here, independent of the code under test. */
const isQuietHour = (hour: number, p: { quietFromHour: number; quietToHour: number }) =>
  p.quietFromHour > p.quietToHour
    ? hour >= p.quietFromHour || hour < p.quietToHour
    : hour >= p.quietFromHour && hour < p.quietToHour;

const arbScenario = fc.record({
  policy: arbPolicy,
  customers: fc.array(arbCustomer, { minLength: 1, maxLength: 4 }),
  messages: fc.array(arbMessage, { minLength: 1, maxLength: 10 }),
  /** Clock advance before each of 30 sender runs, in minutes (5 min … 2 days). */
  steps: fc.array(fc.integer({ min: 5, max: 2 * 24 * 60 }), { minLength: 30, maxLength: 30 }),
});

let t: TTestApp;
let unitId: string;
let run = 0;
/** What the runs exercised (so the property cannot pass vacuously). */
const seen = { sent: 0, deferred: 0, blocked: 0, deferredDnc: 0, sentAfterDnc: 0, gapZero: 0 };

beforeAll(async () => {
  t = await createTestApp();
  unitId = await rootUnitId(t);
});
afterAll(async () => t.close());

describe('contact policy in the sender (property)', () => {
  it('no send violates the tenant quiet hours, its gap, opt-out / do-not-contact, marketing consent + opt-out text; none doubled, none lost', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async (sc) => {
        run += 1;
        t.clock.set(new Date(T0));
        const GAP_DAYS = sc.policy.minGapDays;
        if (GAP_DAYS === 0) seen.gapZero += 1;
        await t.db
          .insert(tenantContactPolicies)
          .values({ tenantId: t.tenantId, ...sc.policy, updatedAt: new Date(T0) })
          .onConflictDoUpdate({ target: tenantContactPolicies.tenantId, set: sc.policy });
        const sends: { to: string; text: string; at: number }[] = [];
        const provider: TSmsProvider = {
          name: 'capture',
          send: async (req) => {
            sends.push({ to: req.to, text: req.text, at: t.clock.now().getTime() });
            return { providerMessageId: `cap-${sends.length}` };
          },
        };
        // No `policy` in the deps: the sender reads the tenant's policy.
        const deps = { db: t.db, clock: t.clock, mail: undefined, sms: () => provider };
        // Customers, each with its own phone (the captured `to` names the customer).
        const cs = sc.customers.map((c, i) => ({
          ...c,
          id: crypto.randomUUID(),
          phone: `139${String(run).padStart(4, '0')}${String(i).padStart(4, '0')}`,
          optedOutAt: null as number | null,
        }));
        for (const c of cs) {
          await t.db.insert(customers).values({
            id: c.id,
            tenantId: t.tenantId,
            name: '客户',
            unitId,
            phones: [c.phone],
            consentService: c.consentService,
            consentMarketing: c.consentMarketing,
            doNotContactUntil: c.dncHours === null ? null : new Date(T0 + c.dncHours * 3_600_000),
          });
          if (c.priorContactHours !== null)
            await t.db.insert(contactEvents).values({
              tenantId: t.tenantId,
              customerId: c.id,
              at: new Date(T0 - c.priorContactHours * 3_600_000),
              channel: 'phone',
            });
        }
        const msgs = sc.messages.map((m, i) => ({
          ...m,
          c: cs[m.customer % cs.length]!,
          token: `#${run}-${i}#`,
          id: '',
        }));
        for (let step = 0; step < sc.steps.length; step++) {
          t.clock.advance(sc.steps[step]! * MIN);
          const now = t.clock.now();
          for (const c of cs) {
            if (c.optOutAtStep === step) {
              await t.db
                .update(customers)
                .set({ consentService: false, consentMarketing: false })
                .where(eq(customers.id, c.id));
              c.optedOutAt = now.getTime();
            }
          }
          const due = msgs.filter((m) => m.atStep === step);
          const ids = await enqueueSms(
            t.db,
            now,
            due.map((m) => ({
              tenantId: t.tenantId,
              customerId: m.c.id,
              to: m.c.phone,
              template: '{客户姓名}您好',
              values: { 客户姓名: m.token },
              isMarketing: m.marketing,
            })),
          );
          ids.forEach((id, i) => (due[i]!.id = id));
          await sendDueSms(deps);
        }

        // --- every send obeys every rule ---
        for (const s of sends) {
          const c = cs.find((x) => x.phone === s.to)!;
          const m = msgs.find((x) => s.text.includes(x.token))!;
          const { hour } = localParts(new Date(s.at), 'Asia/Shanghai');
          expect(
            isQuietHour(hour, sc.policy),
            `quiet hours ${sc.policy.quietFromHour}–${sc.policy.quietToHour}: sent at ${new Date(s.at).toISOString()}`,
          ).toBe(false);
          if (c.optedOutAt !== null) expect(s.at, 'sent after opt-out').toBeLessThan(c.optedOutAt);
          if (c.dncHours !== null) expect(s.at >= T0 + c.dncHours * 3_600_000, 'sent while do-not-contact').toBe(true);
          if (c.dncHours !== null && c.dncHours > 0) seen.sentAfterDnc += 1;
          expect(c.consentService || m.marketing).toBe(true);
          if (!m.marketing) expect(c.consentService, 'service message without consent').toBe(true);
          if (m.marketing) {
            expect(c.consentMarketing, 'marketing without consent').toBe(true);
            expect(s.text.endsWith('拒收请回复R'), 'marketing without opt-out text').toBe(true);
          }
          if (c.priorContactHours !== null)
            expect(s.at - (T0 - c.priorContactHours * 3_600_000)).toBeGreaterThanOrEqual(GAP_DAYS * DAY);
        }
        for (const c of cs) {
          const times = sends.filter((s) => s.to === c.phone).map((s) => s.at);
          for (let i = 1; i < times.length; i++)
            expect(times[i]! - times[i - 1]!, 'two contacts within the gap').toBeGreaterThanOrEqual(GAP_DAYS * DAY);
        }
        // --- none doubled, none lost ---
        for (const m of msgs) expect(sends.filter((s) => s.text.includes(m.token)).length).toBeLessThanOrEqual(1);
        const rows = await t.db
          .select()
          .from(outboxMessages)
          .where(
            inArray(
              outboxMessages.id,
              msgs.map((m) => m.id),
            ),
          );
        expect(rows).toHaveLength(msgs.length);
        const end = t.clock.now().getTime();
        for (const r of rows) {
          const m = msgs.find((x) => x.id === r.id)!;
          const sentCount = sends.filter((s) => s.text.includes(m.token)).length;
          if (r.status === 'sent') seen.sent += 1;
          if (r.policyOutcome?.startsWith('deferred:')) seen.deferred += 1;
          if (r.policyOutcome === 'deferred:do_not_contact') seen.deferredDnc += 1;
          if (r.status === 'cancelled') seen.blocked += 1;
          if (r.status === 'sent') expect(sentCount).toBe(1);
          // Blocked only for missing consent (an opt-out withdraws it) — never for a do-not-contact date.
          else if (r.status === 'cancelled')
            expect(r.policyOutcome).toMatch(/^blocked:no_(service|marketing)_consent$/);
          else {
            // still waiting: deferred by the policy to a later time, never silently stuck in the past
            expect(r.status).toBe('queued');
            expect(sentCount).toBe(0);
            expect(r.sendAfter.getTime()).toBeGreaterThan(end);
            expect(r.policyOutcome).toMatch(/^deferred:/);
          }
        }
        // Leave nothing due for the next run (its clock starts again at T0).
        await t.db
          .update(outboxMessages)
          .set({ status: 'cancelled' })
          .where(sql`${outboxMessages.status} = 'queued'`);
      }),
      { numRuns: 40 },
    );
    expect(seen.sent).toBeGreaterThan(10);
    expect(seen.deferred).toBeGreaterThan(5);
    expect(seen.blocked).toBeGreaterThan(5);
    expect(seen.deferredDnc).toBeGreaterThan(0);
    expect(seen.sentAfterDnc).toBeGreaterThan(0);
    expect(seen.gapZero).toBeGreaterThan(0);
  }, 60_000);
});

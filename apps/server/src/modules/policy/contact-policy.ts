import { sql, type SQL } from 'drizzle-orm';
import type { TContactExclusionReason } from '@huifang/shared';
import { addDays, localDate, localParts, zonedInstant } from './calendar.ts';

/**
 * The contact policy (DESIGN §5, hard rules — not advice in the UI). Pure functions here, reused by task generation
 * (as the SQL predicate below) and by the outbox sender (`decideContact`, per tenant policy):
 * - do-not-contact: a customer with `do_not_contact_until` after the moment of contact is not contacted before that
 *   date — the contact is deferred to it (the sender; a task inside its window starts then), not dropped;
 * - consent: service follow-ups need `consent_service`, marketing topics need `consent_marketing`;
 * - frequency: at most one contact per customer per `minGapDays` days across all channels (contact_events);
 * - quiet hours: outside [contactFromHour, contactToHour) local time nobody is contacted — this only moves *when*
 *   a contact may happen (`nextContactableAt`), never *whether*.
 */
export interface TContactPolicy {
  contactFromHour: number;
  contactToHour: number;
  minGapDays: number;
}
export const DEFAULT_CONTACT_POLICY: TContactPolicy = { contactFromHour: 9, contactToHour: 21, minGapDays: 7 };

export interface TContactSubject {
  doNotContactUntil: Date | null;
  consentService: boolean;
  consentMarketing: boolean;
  /** The latest contact on any channel, if any. */
  lastContactAt: Date | null;
}

const DAY_MS = 86_400_000;

/** Why this customer may not be contacted at `at` (first reason in a fixed order), or null when allowed. */
export function contactExclusion(
  s: TContactSubject,
  opts: { isMarketing: boolean; minGapDays: number; ignoreGap?: boolean },
  at: Date,
): TContactExclusionReason | null {
  if (s.doNotContactUntil && s.doNotContactUntil.getTime() > at.getTime()) return 'do_not_contact';
  if (!opts.isMarketing && !s.consentService) return 'no_service_consent';
  if (opts.isMarketing && !s.consentMarketing) return 'no_marketing_consent';
  if (
    !opts.ignoreGap &&
    opts.minGapDays > 0 &&
    s.lastContactAt &&
    s.lastContactAt.getTime() > at.getTime() - opts.minGapDays * DAY_MS
  )
    return 'recent_contact';
  return null;
}

/**
 * True when `at` falls in quiet hours (outside the contact hours) of the zone. Contact hours [from, to) may wrap
 * midnight (from > to: e.g. quiet hours 01–06 of a 24-hour hotline leave contact hours 06–01).
 */
export function isQuietTime(
  at: Date,
  timeZone: string,
  p: Pick<TContactPolicy, 'contactFromHour' | 'contactToHour'>,
): boolean {
  const { hour } = localParts(at, timeZone);
  if (p.contactFromHour < p.contactToHour) return hour < p.contactFromHour || hour >= p.contactToHour;
  if (p.contactFromHour > p.contactToHour) return hour >= p.contactToHour && hour < p.contactFromHour;
  return false;
}

/** `at` itself inside contact hours, else the next start of contact hours (today's or tomorrow's). */
export function nextContactableAt(
  at: Date,
  timeZone: string,
  p: Pick<TContactPolicy, 'contactFromHour' | 'contactToHour'>,
): Date {
  if (!isQuietTime(at, timeZone, p)) return at;
  const today = localDate(at, timeZone);
  const { hour } = localParts(at, timeZone);
  return zonedInstant(hour < p.contactFromHour ? today : addDays(today, 1), p.contactFromHour, timeZone);
}

/** A tenant's policy as the admin edits it: quiet hours 免打扰 from → to (local hours 0–23, may wrap midnight) and the gap. */
export interface TTenantContactPolicy {
  quietFromHour: number;
  quietToHour: number;
  minGapDays: number;
}
export const DEFAULT_TENANT_CONTACT_POLICY: TTenantContactPolicy = { quietFromHour: 21, quietToHour: 9, minGapDays: 7 };

/** Quiet hours 21 → 9 are contact hours 9 → 21 (contactToHour 0 = until midnight, handled as a wrap). */
export const contactHoursOf = (p: TTenantContactPolicy): TContactPolicy => ({
  contactFromHour: p.quietToHour,
  contactToHour: p.quietFromHour,
  minGapDays: p.minGapDays,
});

export type TContactDecision =
  | { kind: 'send' }
  | { kind: 'defer'; until: Date; reason: 'do_not_contact' | 'recent_contact' | 'quiet_hours' }
  | { kind: 'block'; reason: 'no_service_consent' | 'no_marketing_consent' };

/**
 * What the sender does with one message to a customer at `at`:
 * - missing consent (service, or marketing for marketing messages — an opt-out withdraws consent) → block;
 * - otherwise the earliest allowed moment is the latest of: now, the do-not-contact date (the customer asked not to
 *   be contacted BEFORE it — a deferral, not a refusal), the end of the gap after the last contact; moved into
 *   contact hours. Now → send; later → defer to it, with the rule that held it back longest as the reason.
 */
export function decideContact(
  s: TContactSubject,
  opts: { isMarketing: boolean; ignoreGap?: boolean },
  policy: TContactPolicy,
  at: Date,
  timeZone: string,
): TContactDecision {
  if (!opts.isMarketing && !s.consentService) return { kind: 'block', reason: 'no_service_consent' };
  if (opts.isMarketing && !s.consentMarketing) return { kind: 'block', reason: 'no_marketing_consent' };
  let earliest = at;
  let reason: 'do_not_contact' | 'recent_contact' | 'quiet_hours' = 'quiet_hours';
  if (s.doNotContactUntil && s.doNotContactUntil.getTime() > earliest.getTime()) {
    earliest = s.doNotContactUntil;
    reason = 'do_not_contact';
  }
  if (!opts.ignoreGap && policy.minGapDays > 0 && s.lastContactAt) {
    const gapEnd = new Date(s.lastContactAt.getTime() + policy.minGapDays * DAY_MS);
    if (gapEnd.getTime() > earliest.getTime()) {
      earliest = gapEnd;
      reason = 'recent_contact';
    }
  }
  const slot = nextContactableAt(earliest, timeZone, policy);
  if (slot.getTime() === at.getTime()) return { kind: 'send' };
  return { kind: 'defer', until: slot, reason };
}

/**
 * The same rules for task generation, as a SQL CASE over a candidate row: `c` has columns consent_service,
 * consent_marketing, last_contact_at, due_from (the moment of contact, already moved to the do-not-contact date when
 * there is one — see `dncStartSql`), dnc_from (that moved start, or null) and win_end (the end of the task's window).
 * A do-not-contact date inside the window only moves due_from; one at or after the window's end skips the customer.
 * Null = allowed.
 */
export function contactExclusionSql(opts: { isMarketing: boolean; minGapDays: number; ignoreGap?: boolean }): SQL {
  const gap = !opts.ignoreGap && opts.minGapDays > 0;
  return sql`case
    when c.dnc_from is not null and c.dnc_from >= c.win_end then 'do_not_contact'
    ${opts.isMarketing ? sql`when not c.consent_marketing then 'no_marketing_consent'` : sql`when not c.consent_service then 'no_service_consent'`}
    ${gap ? sql`when c.last_contact_at is not null and c.last_contact_at > c.due_from - make_interval(days => ${opts.minGapDays}::int) then 'recent_contact'` : sql``}
  end`;
}

/**
 * The first contact hour on or after a do-not-contact instant `dnc` that is later than `base` (else null), in the
 * zone, for contact hours from < to (plans): before `from` → that day at `from`; at/after `to` → the next day at `from`.
 */
export function dncStartSql(
  dnc: SQL,
  base: SQL,
  timeZone: string,
  p: Pick<TContactPolicy, 'contactFromHour' | 'contactToHour'>,
): SQL {
  const local = sql`(${dnc} at time zone ${timeZone})`;
  const at = (days: number) =>
    sql`((${local}::date + ${days}::int)::timestamp + make_interval(hours => ${p.contactFromHour}::int)) at time zone ${timeZone}`;
  return sql`(case when ${dnc} is null or ${dnc} <= ${base} then null
    when extract(hour from ${local}) < ${p.contactFromHour}::int then ${at(0)}
    when extract(hour from ${local}) >= ${p.contactToHour}::int then ${at(1)}
    else ${dnc} end)`;
}

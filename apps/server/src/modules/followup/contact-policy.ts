import { sql, type SQL } from 'drizzle-orm';
import type { TContactExclusionReason } from '@huifang/shared';
import { addDays, localDate, localParts, zonedInstant } from './calendar.ts';

/**
 * The contact policy (DESIGN §5, hard rules — not advice in the UI). Pure functions here, reused by task generation
 * (as the SQL predicate below, which must agree with `contactExclusion`) and later by the outbox sender:
 * - do-not-contact: a customer with `do_not_contact_until` after the moment of contact is not contacted;
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
export function contactExclusion(s: TContactSubject, opts: { isMarketing: boolean; minGapDays: number; ignoreGap?: boolean }, at: Date): TContactExclusionReason | null {
  if (s.doNotContactUntil && s.doNotContactUntil.getTime() > at.getTime()) return 'do_not_contact';
  if (!opts.isMarketing && !s.consentService) return 'no_service_consent';
  if (opts.isMarketing && !s.consentMarketing) return 'no_marketing_consent';
  if (!opts.ignoreGap && opts.minGapDays > 0 && s.lastContactAt && s.lastContactAt.getTime() > at.getTime() - opts.minGapDays * DAY_MS) return 'recent_contact';
  return null;
}

/** True when `at` falls in quiet hours (outside the contact hours) of the zone. */
export function isQuietTime(at: Date, timeZone: string, p: Pick<TContactPolicy, 'contactFromHour' | 'contactToHour'>): boolean {
  const { hour } = localParts(at, timeZone);
  return hour < p.contactFromHour || hour >= p.contactToHour;
}

/** `at` itself inside contact hours, else the next start of contact hours (today's or tomorrow's). */
export function nextContactableAt(at: Date, timeZone: string, p: Pick<TContactPolicy, 'contactFromHour' | 'contactToHour'>): Date {
  if (!isQuietTime(at, timeZone, p)) return at;
  const today = localDate(at, timeZone);
  const { hour } = localParts(at, timeZone);
  return zonedInstant(hour < p.contactFromHour ? today : addDays(today, 1), p.contactFromHour, timeZone);
}

/**
 * The same rules as `contactExclusion`, as a SQL CASE over a candidate row: `c` has columns do_not_contact_until,
 * consent_service, consent_marketing, last_contact_at and due_from (the moment of contact). Null = allowed.
 */
export function contactExclusionSql(opts: { isMarketing: boolean; minGapDays: number; ignoreGap?: boolean }): SQL {
  const gap = !opts.ignoreGap && opts.minGapDays > 0;
  return sql`case
    when c.do_not_contact_until is not null and c.do_not_contact_until > c.due_from then 'do_not_contact'
    ${opts.isMarketing ? sql`when not c.consent_marketing then 'no_marketing_consent'` : sql`when not c.consent_service then 'no_service_consent'`}
    ${gap ? sql`when c.last_contact_at is not null and c.last_contact_at > c.due_from - make_interval(days => ${opts.minGapDays}::int) then 'recent_contact'` : sql``}
  end`;
}

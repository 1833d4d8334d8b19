import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  birthdayIn,
  isWorkingDate,
  isWorkingDay,
  localDate,
  monthPeriod,
  zonedInstant,
  type TWorkCalendar,
} from './calendar.ts';
import { contactExclusion, contactHoursOf, decideContact, isQuietTime, nextContactableAt } from './contact-policy.ts';
import { renderScript, salutation } from './script.ts';

const TZ = 'Asia/Shanghai';
const ok = { doNotContactUntil: null, consentService: true, consentMarketing: false, lastContactAt: null };
const at = new Date('2026-03-10T02:00:00Z');

describe('contact policy', () => {
  it('excludes by the first reason in a fixed order', () => {
    expect(contactExclusion(ok, { isMarketing: false, minGapDays: 7 }, at)).toBeNull();
    expect(
      contactExclusion(
        { ...ok, doNotContactUntil: new Date('2026-03-11T00:00:00Z'), consentService: false },
        { isMarketing: false, minGapDays: 7 },
        at,
      ),
    ).toBe('do_not_contact');
    expect(
      contactExclusion(
        { ...ok, doNotContactUntil: new Date('2026-03-10T01:59:59Z') },
        { isMarketing: false, minGapDays: 7 },
        at,
      ),
    ).toBeNull();
    expect(contactExclusion({ ...ok, consentService: false }, { isMarketing: false, minGapDays: 7 }, at)).toBe(
      'no_service_consent',
    );
    expect(contactExclusion(ok, { isMarketing: true, minGapDays: 7 }, at)).toBe('no_marketing_consent');
  });
  it('at most one contact per N days: the boundary is exclusive, 0 disables it, callbacks may ignore it', () => {
    const sevenDaysAgo = new Date(at.getTime() - 7 * 86_400_000);
    expect(
      contactExclusion(
        { ...ok, lastContactAt: new Date(sevenDaysAgo.getTime() + 1) },
        { isMarketing: false, minGapDays: 7 },
        at,
      ),
    ).toBe('recent_contact');
    expect(
      contactExclusion({ ...ok, lastContactAt: sevenDaysAgo }, { isMarketing: false, minGapDays: 7 }, at),
    ).toBeNull();
    expect(contactExclusion({ ...ok, lastContactAt: at }, { isMarketing: false, minGapDays: 0 }, at)).toBeNull();
    expect(
      contactExclusion({ ...ok, lastContactAt: at }, { isMarketing: false, minGapDays: 7, ignoreGap: true }, at),
    ).toBeNull();
  });
  it('quiet hours move a contact to the next start of contact hours, in the tenant zone', () => {
    const p = { contactFromHour: 9, contactToHour: 21 };
    expect(isQuietTime(new Date('2026-03-10T00:59:00Z'), TZ, p)).toBe(true); // 08:59 local
    expect(isQuietTime(new Date('2026-03-10T01:00:00Z'), TZ, p)).toBe(false); // 09:00
    expect(isQuietTime(new Date('2026-03-10T13:00:00Z'), TZ, p)).toBe(true); // 21:00
    expect(nextContactableAt(new Date('2026-03-10T13:30:00Z'), TZ, p).toISOString()).toBe('2026-03-11T01:00:00.000Z');
    expect(nextContactableAt(new Date('2026-03-09T18:00:00Z'), TZ, p).toISOString()).toBe('2026-03-10T01:00:00.000Z'); // 02:00 local
    expect(nextContactableAt(at, TZ, p)).toBe(at);
  });
});

describe('calendar', () => {
  it('local dates, zoned instants, months and birthdays', () => {
    expect(localDate(new Date('2026-03-09T16:00:00Z'), TZ)).toBe('2026-03-10');
    expect(zonedInstant('2026-03-10', 9, TZ).toISOString()).toBe('2026-03-10T01:00:00.000Z');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(monthPeriod('2026-05-31', 3)).toEqual({ start: '2026-04-01', next: '2026-07-01' });
    expect(monthPeriod('2026-12-01', 1)).toEqual({ start: '2026-12-01', next: '2027-01-01' });
    expect(birthdayIn('1992-02-29', 2027)).toBe('2027-02-28');
    expect(birthdayIn('1992-02-29', 2028)).toBe('2028-02-29');
  });
  it('renders known placeholders; the salutation follows the gender', () => {
    expect(
      renderScript('您好{客户称呼}，我是{坐席姓名}{礼品}', {
        客户称呼: salutation('王芳', 'female'),
        坐席姓名: '刘洋',
      }),
    ).toBe('您好王女士，我是刘洋');
  });
});

describe('tenant policy and the sender decision', () => {
  const p = contactHoursOf({ quietFromHour: 21, quietToHour: 9, minGapDays: 7 });
  it('quiet hours may wrap midnight either way (contact hours 9–0, 22–6)', () => {
    const untilMidnight = contactHoursOf({ quietFromHour: 0, quietToHour: 9, minGapDays: 7 });
    expect(isQuietTime(new Date('2026-03-10T15:30:00Z'), TZ, untilMidnight)).toBe(false); // 23:30
    expect(isQuietTime(new Date('2026-03-10T16:30:00Z'), TZ, untilMidnight)).toBe(true); // 00:30
    const night = contactHoursOf({ quietFromHour: 6, quietToHour: 22, minGapDays: 7 }); // a night hotline
    expect(isQuietTime(new Date('2026-03-10T15:00:00Z'), TZ, night)).toBe(false); // 23:00
    expect(isQuietTime(new Date('2026-03-10T02:00:00Z'), TZ, night)).toBe(true); // 10:00
    expect(nextContactableAt(new Date('2026-03-10T02:00:00Z'), TZ, night).toISOString()).toBe(
      '2026-03-10T14:00:00.000Z',
    ); // 22:00
  });
  it('consent blocks; do-not-contact, gap and quiet hours defer to the latest of them, moved into contact hours', () => {
    const ok = { doNotContactUntil: null, consentService: true, consentMarketing: false, lastContactAt: null };
    expect(decideContact(ok, { isMarketing: false }, p, at, TZ)).toEqual({ kind: 'send' });
    expect(
      decideContact(
        { ...ok, consentService: false, doNotContactUntil: new Date('2026-03-20T00:00:00Z') },
        { isMarketing: false },
        p,
        at,
        TZ,
      ),
    ).toEqual({ kind: 'block', reason: 'no_service_consent' });
    expect(decideContact(ok, { isMarketing: true }, p, at, TZ)).toEqual({
      kind: 'block',
      reason: 'no_marketing_consent',
    });
    // not before 15 Mar (local midnight) → 15 Mar 09:00
    expect(
      decideContact({ ...ok, doNotContactUntil: new Date('2026-03-14T16:00:00Z') }, { isMarketing: false }, p, at, TZ),
    ).toEqual({ kind: 'defer', until: new Date('2026-03-15T01:00:00Z'), reason: 'do_not_contact' });
    // the gap ends later than the do-not-contact date: the gap wins
    const gapLater = {
      ...ok,
      doNotContactUntil: new Date('2026-03-11T02:00:00Z'),
      lastContactAt: new Date('2026-03-06T06:00:00Z'),
    };
    expect(decideContact(gapLater, { isMarketing: false }, p, at, TZ)).toEqual({
      kind: 'defer',
      until: new Date('2026-03-13T06:00:00Z'),
      reason: 'recent_contact',
    });
    expect(decideContact(gapLater, { isMarketing: false, ignoreGap: true }, p, at, TZ)).toEqual({
      kind: 'defer',
      until: new Date('2026-03-11T02:00:00Z'),
      reason: 'do_not_contact',
    });
    expect(decideContact(ok, { isMarketing: false }, p, new Date('2026-03-10T14:00:00Z'), TZ)).toEqual({
      kind: 'defer',
      until: new Date('2026-03-11T01:00:00Z'),
      reason: 'quiet_hours',
    });
  });
});

describe('business calendar', () => {
  // 2026 National Day: 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked.
  const cal: TWorkCalendar = {
    holidays: new Set([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
    ]),
    workdays: new Set(['2026-09-20', '2026-10-10']),
  };
  it('weekends and holidays are off, make-up days are worked', () => {
    expect(isWorkingDate('2026-09-19', cal)).toBe(false); // Sat
    expect(isWorkingDate('2026-09-20', cal)).toBe(true); // Sun, make-up
    expect(isWorkingDate('2026-10-01', cal)).toBe(false); // Thu, holiday
    expect(isWorkingDate('2026-10-10', cal)).toBe(true); // Sat, make-up
    // 10 Oct 07:30 Shanghai is still 9 Oct in UTC: the tenant zone decides.
    expect(isWorkingDay(new Date('2026-10-09T23:30:00Z'), TZ, cal)).toBe(true);
    expect(isWorkingDay(new Date('2026-10-10T16:30:00Z'), TZ, cal)).toBe(false); // Sun 11 Oct
  });
  it('addWorkingDays counts only working days; 0 = the day itself or the next working day', () => {
    expect(addWorkingDays('2026-09-30', 1, cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-30', 2, cal)).toBe('2026-10-09');
    expect(addWorkingDays('2026-10-09', 1, cal)).toBe('2026-10-10');
    expect(addWorkingDays('2026-10-09', 2, cal)).toBe('2026-10-12');
    expect(addWorkingDays('2026-10-03', 0, cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-10-08', 0, cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-18', 1, cal)).toBe('2026-09-20');
  });
});

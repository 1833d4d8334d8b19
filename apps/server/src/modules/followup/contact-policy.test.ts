import { describe, expect, it } from 'vitest';
import { addDays, birthdayIn, localDate, monthPeriod, zonedInstant } from './calendar.ts';
import { contactExclusion, isQuietTime, nextContactableAt } from './contact-policy.ts';
import { renderScript, salutation } from './script.ts';

const TZ = 'Asia/Shanghai';
const ok = { doNotContactUntil: null, consentService: true, consentMarketing: false, lastContactAt: null };
const at = new Date('2026-03-10T02:00:00Z');

describe('contact policy', () => {
  it('excludes by the first reason in a fixed order', () => {
    expect(contactExclusion(ok, { isMarketing: false, minGapDays: 7 }, at)).toBeNull();
    expect(contactExclusion({ ...ok, doNotContactUntil: new Date('2026-03-11T00:00:00Z'), consentService: false }, { isMarketing: false, minGapDays: 7 }, at)).toBe('do_not_contact');
    expect(contactExclusion({ ...ok, doNotContactUntil: new Date('2026-03-10T01:59:59Z') }, { isMarketing: false, minGapDays: 7 }, at)).toBeNull();
    expect(contactExclusion({ ...ok, consentService: false }, { isMarketing: false, minGapDays: 7 }, at)).toBe('no_service_consent');
    expect(contactExclusion(ok, { isMarketing: true, minGapDays: 7 }, at)).toBe('no_marketing_consent');
  });
  it('at most one contact per N days: the boundary is exclusive, 0 disables it, callbacks may ignore it', () => {
    const sevenDaysAgo = new Date(at.getTime() - 7 * 86_400_000);
    expect(contactExclusion({ ...ok, lastContactAt: new Date(sevenDaysAgo.getTime() + 1) }, { isMarketing: false, minGapDays: 7 }, at)).toBe('recent_contact');
    expect(contactExclusion({ ...ok, lastContactAt: sevenDaysAgo }, { isMarketing: false, minGapDays: 7 }, at)).toBeNull();
    expect(contactExclusion({ ...ok, lastContactAt: at }, { isMarketing: false, minGapDays: 0 }, at)).toBeNull();
    expect(contactExclusion({ ...ok, lastContactAt: at }, { isMarketing: false, minGapDays: 7, ignoreGap: true }, at)).toBeNull();
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
    expect(renderScript('您好{客户称呼}，我是{坐席姓名}{礼品}', { 客户称呼: salutation('王芳', 'female'), 坐席姓名: '刘洋' })).toBe('您好王女士，我是刘洋');
  });
});

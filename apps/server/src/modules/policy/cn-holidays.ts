/**
 * China's official public holidays and make-up working days 调休上班, as published by the General Office of the State
 * Council (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04, 国办发明电〔2025〕7号 — Xinhua). Seeded once per tenant
 * and year into business_calendar_days; the tenant edits its copy afterwards. Add next year's notice here when it is
 * published (usually November). 2027: no copy of the State Council's 2027 notice could be found when this was last
 * checked (2026-12-05), so 2027 is not built in — 调休 days cannot be guessed. Until it is added (or the admin enters
 * the days under 系统设置 → 工作日历), the calendar coverage warning (GET /api/settings/calendar/coverage, shown to
 * settings:write users) says the calendar ends on 2026-12-31.
 */
export interface TOfficialYear {
  /** [first day, last day, name] of each 放假 range (weekend days inside a range included). */
  holidays: [string, string, string][];
  /** Weekend days that are worked (调休上班), with the holiday they make up for. */
  workdays: [string, string][];
}

export const OFFICIAL_CALENDARS: Record<number, TOfficialYear> = {
  2026: {
    holidays: [
      ['2026-01-01', '2026-01-03', '元旦'],
      ['2026-02-15', '2026-02-23', '春节'],
      ['2026-04-04', '2026-04-06', '清明节'],
      ['2026-05-01', '2026-05-05', '劳动节'],
      ['2026-06-19', '2026-06-21', '端午节'],
      ['2026-09-25', '2026-09-27', '中秋节'],
      ['2026-10-01', '2026-10-07', '国庆节'],
    ],
    workdays: [
      ['2026-01-04', '元旦调休'],
      ['2026-02-14', '春节调休'],
      ['2026-02-28', '春节调休'],
      ['2026-05-09', '劳动节调休'],
      ['2026-09-20', '国庆节调休'],
      ['2026-10-10', '国庆节调休'],
    ],
  },
};

import { describe, expect, it } from 'vitest';
import { DEFAULT_TICKET_SLA } from '@huifang/shared';
import { addDays, type TWorkCalendar } from '../../policy/calendar.ts';
import { OFFICIAL_CALENDARS } from '../../policy/cn-holidays.ts';
import { deriveSla, type TSlaEvent } from './derive.ts';

/** normal: first response 240, resolution 960 working minutes, warnings at 80 %, OLA [480, 240, 240, 240]. */
const policy = DEFAULT_TICKET_SLA.normal;
function officialCalendar(): TWorkCalendar {
  const o = OFFICIAL_CALENDARS[2026]!;
  const holidays = new Set<string>();
  for (const [from, to] of o.holidays) for (let d = from; d <= to; d = addDays(d, 1)) holidays.add(d);
  return { holidays, workdays: new Set(o.workdays.map(([d]) => d)) };
}
const cal = { calendar: officialCalendar(), timeZone: 'Asia/Shanghai' };
const sh = (s: string) => new Date(`${s}:00+08:00`);

/** A history: [type, Shanghai time, toStatus?, payload?]. */
function history(...rows: [string, string, string?, Record<string, unknown>?][]): TSlaEvent[] {
  return rows.map(([type, at, toStatus, payload], i) => ({
    id: i + 1,
    type,
    at: sh(at),
    toStatus: toStatus ?? null,
    payload: payload ?? {},
  }));
}
/** The checkpoints a derivation asks for, as the events the SLA job would append. */
function withCheckpoints(events: TSlaEvent[], at: string): TSlaEvent[] {
  const d = deriveSla(events, policy, cal, sh(at));
  return [
    ...events,
    ...d.checkpoints.map((c, i) => ({
      id: events.length + i + 1,
      type: 'sla_checkpoint',
      at: sh(at),
      toStatus: null,
      payload: { ...c },
    })),
  ];
}

describe('deriveSla', () => {
  const fridayEvening = history(['created', '2026-12-04T17:00', 'new']);

  it('a ticket opened Friday 17:00 is due on Monday (first response) and Tuesday (resolution)', () => {
    const d = deriveSla(fridayEvening, policy, cal, sh('2026-12-04T17:30'));
    expect(d.firstResponse.dueAt).toEqual(sh('2026-12-07T12:00')); // 60 Friday + 180 Monday
    expect(d.resolution.dueAt).toEqual(sh('2026-12-08T15:00')); // 60 + 540 + 360
    expect(d.firstResponse.usedMinutes).toBe(30);
    expect(d.state).toBe('ok');
    expect(d.pendingMarks).toEqual([]);
    expect(d.nextCheckAt).toEqual(sh('2026-12-07T11:12')); // 80 % of 240 = 192 minutes
    expect(d.ola).toMatchObject({ level: 0, limitMinutes: 480 });
  });

  it('warns at 80 % and breaches at the deadline, each asked for once', () => {
    const warn = deriveSla(fridayEvening, policy, cal, sh('2026-12-07T11:30'));
    expect(warn.state).toBe('warning');
    expect(warn.pendingMarks).toEqual([{ type: 'sla_warning', target: 'first_response', cycle: 0 }]);
    const marked = [
      ...fridayEvening,
      {
        id: 9,
        type: 'sla_warning',
        at: sh('2026-12-07T11:30'),
        toStatus: null,
        payload: { target: 'first_response', cycle: 0 },
      },
    ];
    expect(deriveSla(marked, policy, cal, sh('2026-12-07T11:45')).pendingMarks).toEqual([]);
    const breach = deriveSla(marked, policy, cal, sh('2026-12-07T12:00'));
    expect(breach.state).toBe('breached');
    expect(breach.pendingMarks).toEqual([{ type: 'sla_breached', target: 'first_response', cycle: 0 }]);
  });

  it('pauses while waiting for the customer and resumes with the time left', () => {
    const events = history(
      ['created', '2026-12-07T09:00', 'new'],
      ['start', '2026-12-07T09:30', 'in_progress'],
      ['wait_customer', '2026-12-07T10:00', 'waiting_customer'],
    );
    const paused = deriveSla(events, policy, cal, sh('2026-12-08T17:00'));
    expect(paused.state).toBe('paused');
    expect(paused.resolution.usedMinutes).toBe(60);
    expect(paused.pausedMinutes).toBe(480 + 480);
    expect(paused.resolution.dueAt).toBeNull();
    expect(paused.nextCheckAt).toBeNull();
    expect(paused.firstResponse).toMatchObject({ usedMinutes: 30, metAt: sh('2026-12-07T09:30'), isBreached: false });
    expect(paused.checkpoints).toEqual([
      { forEventId: 2, resolutionUsedMinutes: 30, firstResponseUsedMinutes: 30 },
      { forEventId: 3, resolutionUsedMinutes: 60 },
    ]);

    const resumed = [...events, ...history(['x', '2026-12-09T09:00'])].map((e, i) =>
      i === 3 ? { ...e, id: 4, type: 'customer_replied', toStatus: 'in_progress' } : e,
    );
    const d = deriveSla(resumed, policy, cal, sh('2026-12-09T10:00'));
    expect(d.state).toBe('ok');
    expect(d.resolution.usedMinutes).toBe(120);
    expect(d.resolution.dueAt).toEqual(sh('2026-12-10T15:00')); // 900 left from Wed 09:00: 540 + 360
  });

  it('a reopen restarts the resolution clock with the full target; the first response stays met', () => {
    const events = history(
      ['created', '2026-12-07T09:00', 'new'],
      ['start', '2026-12-07T09:10', 'in_progress'],
      ['resolve', '2026-12-08T14:00', 'resolved'],
      ['reopen', '2026-12-10T09:00', 'reopened'],
    );
    const resolved = deriveSla(events.slice(0, 3), policy, cal, sh('2026-12-09T09:00'));
    expect(resolved.state).toBe('met');
    expect(resolved.resolution.metAt).toEqual(sh('2026-12-08T14:00'));
    const d = deriveSla(events, policy, cal, sh('2026-12-10T10:00'));
    expect(d.cycle).toBe(1);
    expect(d.resolution.usedMinutes).toBe(60);
    expect(d.resolution.dueAt).toEqual(sh('2026-12-11T16:00')); // 960 from Thu 09:00: 540 + 420
    expect(d.firstResponse.isBreached).toBe(false);
    expect(d.state).toBe('ok');
  });

  it('resolved after the deadline is breached, and asks for the breach mark', () => {
    const events = history(
      ['created', '2026-12-07T09:00', 'new'],
      ['start', '2026-12-07T09:10', 'in_progress'],
      ['resolve', '2026-12-09T12:00', 'resolved'],
    );
    const d = deriveSla(events, policy, cal, sh('2026-12-09T12:01'));
    expect(d.resolution.usedMinutes).toBe(540 + 540 + 180);
    expect(d.state).toBe('breached');
    expect(d.pendingMarks).toEqual([{ type: 'sla_breached', target: 'resolution', cycle: 0 }]);
  });

  it('the OLA of a level counts from its escalation', () => {
    const events = history(
      ['created', '2026-12-07T09:00', 'assigned'],
      ['escalate', '2026-12-07T15:00', 'assigned', { level: 1 }],
    );
    const d = deriveSla(events, policy, cal, sh('2026-12-07T17:00'));
    expect(d.level).toBe(1);
    expect(d.ola).toMatchObject({ level: 1, limitMinutes: 240, usedMinutes: 120, isWarning: false });
    expect(d.ola?.warnAt).toEqual(sh('2026-12-08T09:12')); // 192 minutes after 15:00
    const later = deriveSla(events, policy, cal, sh('2026-12-08T09:12'));
    expect(later.pendingMarks).toContainEqual({ type: 'sla_warning', target: 'ola', cycle: 0, level: 1 });
  });

  it('a calendar edit moves the deadline of an open ticket, never the time already used', () => {
    const events = history(
      ['created', '2026-12-07T09:00', 'new'],
      ['start', '2026-12-07T09:00', 'in_progress'],
      ['wait_customer', '2026-12-08T18:00', 'waiting_customer'], // 1080 used: Mon + Tue
      ['customer_replied', '2026-12-14T09:00', 'in_progress'],
    );
    const frozen = withCheckpoints(events, '2026-12-08T18:01');
    const before = deriveSla(frozen, policy, cal, sh('2026-12-14T10:00'));
    expect(before.resolution.usedMinutes).toBe(1140);

    // The admin makes last Tuesday and next Tuesday holidays.
    const edited = {
      ...cal,
      calendar: {
        holidays: new Set([...cal.calendar.holidays, '2026-12-08', '2026-12-15']),
        workdays: cal.calendar.workdays,
      },
    };
    const after = deriveSla(frozen, { ...policy, resolutionMinutes: 2400 }, edited, sh('2026-12-14T10:00'));
    expect(after.resolution.usedMinutes).toBe(1140); // Tuesday's hours stay counted
    const unchanged = deriveSla(frozen, { ...policy, resolutionMinutes: 2400 }, cal, sh('2026-12-14T10:00'));
    // 2400 − 1080 = 1320 left from Mon 14 09:00: Mon 540, Tue 540, Wed 240 → Wed 13:00; with Tue 15 off → Thu 13:00.
    expect(unchanged.resolution.dueAt).toEqual(sh('2026-12-16T13:00'));
    expect(after.resolution.dueAt).toEqual(sh('2026-12-17T13:00'));
    // Without the checkpoints the edit would have rewritten history.
    expect(deriveSla(events, policy, edited, sh('2026-12-14T10:00')).resolution.usedMinutes).toBe(540 + 60);
  });
});

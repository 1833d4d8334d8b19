import type { TTicketSlaPolicyValues, TTicketSlaState } from '@huifang/shared';
import type { TWorkCalendar } from '../../policy/calendar.ts';
import {
  addWorkingMinutes,
  DEFAULT_WORKING_HOURS,
  type TWorkingHours,
  workingMinutesBetween,
} from '../../policy/working-hours.ts';

/**
 * The SLA of a ticket, derived (pure) from its append-only events, its policy and the business calendar — never from
 * counters stored beside it (DESIGN §6). The rules:
 *
 * - **First response** 首次响应: from `created` to the first `start`, `wait_customer` or `resolve` (what sets
 *   `first_responded_at`), in working minutes.
 * - **Resolution** 解决: the clock runs while the ticket is new / assigned / in progress / reopened, pauses while it is
 *   waiting for the customer, and stops at `resolve` (or `close`).
 * - **Reopen** restarts the resolution clock from zero with the full target (a new *cycle*; `cycle` = number of
 *   reopens): the customer's new complaint gets the whole time again. Warnings and breaches are marked once per target
 *   and cycle. The first-response target belongs to the first cycle only (the customer has been answered once).
 * - **OLA** of the current escalation level: the resolution clock's minutes since the level began (the latest
 *   `escalate`, or the cycle's start), against `levelMinutes[level]` (0 / missing = none).
 * - **Calendar edits move deadlines, never the time already used.** Time used is the sum over the clock's intervals.
 *   A closed interval (one that ended at a pause, a stop, an escalation or the first response) is counted once, under
 *   the calendar of that moment, and frozen: the SLA job appends a `sla_checkpoint` event for that event
 *   (`{ forEventId, resolutionUsedMinutes, firstResponseUsedMinutes? }`, cumulative in the cycle) and from then on the
 *   recorded figure is used instead of a recount. Only the running interval and the deadlines (instants when the
 *   remaining minutes run out) are computed with today's calendar — so a holiday added next week moves an open
 *   ticket's due time, and a holiday added over last week changes nothing already counted. The SLA job writes the
 *   checkpoint within a minute of the event; `checkpoints` lists the ones still missing.
 */

export interface TSlaEvent {
  id: number;
  type: string;
  at: Date;
  toStatus: string | null;
  payload: Record<string, unknown>;
}

export interface TSlaCalendar {
  calendar: TWorkCalendar;
  timeZone: string;
  hours?: TWorkingHours;
}

export type TSlaTarget = 'first_response' | 'resolution' | 'ola';
export type TSlaMarkType = 'sla_warning' | 'sla_breached';

export interface TSlaTargetState {
  target: TSlaTarget;
  limitMinutes: number;
  usedMinutes: number;
  /** When the warning point is / was reached; null while the clock is paused short of it. */
  warnAt: Date | null;
  dueAt: Date | null;
  metAt: Date | null;
  isWarning: boolean;
  isBreached: boolean;
}

export interface TSlaMark {
  type: TSlaMarkType;
  target: TSlaTarget;
  cycle: number;
  /** OLA marks: the level. */
  level?: number;
}

export interface TSlaCheckpoint {
  forEventId: number;
  resolutionUsedMinutes: number;
  firstResponseUsedMinutes?: number;
}

export interface TSlaDerivation {
  state: TTicketSlaState;
  cycle: number;
  level: number;
  firstResponse: TSlaTargetState;
  resolution: TSlaTargetState;
  /** The current level's internal target; null when the level has none. */
  ola: (TSlaTargetState & { level: number }) | null;
  /** Working minutes spent waiting for the customer in this cycle (not counted against the targets). */
  pausedMinutes: number;
  /** The next instant at which the derivation changes by time alone (a warning point or a deadline); null = none. */
  nextCheckAt: Date | null;
  /** Warnings / breaches reached but not yet marked by an event. */
  pendingMarks: TSlaMark[];
  /** Closed intervals whose used time is not yet frozen by a `sla_checkpoint` event. */
  checkpoints: TSlaCheckpoint[];
}

const RUNNING = new Set(['new', 'assigned', 'in_progress', 'reopened']);
const STOPPED = new Set(['resolved', 'closed']);
const RESPONSE_TYPES = new Set(['start', 'wait_customer', 'resolve']);
/** Fractions of a minute kept in checkpoints (floats would drift in sums). */
const round = (m: number) => Math.round(m * 1000) / 1000;

interface TInterval {
  start: Date;
  usedBefore: number;
  /** null = still running. */
  usedAfter: number | null;
}

export function deriveSla(
  events: readonly TSlaEvent[],
  policy: TTicketSlaPolicyValues,
  cal: TSlaCalendar,
  now: Date,
): TSlaDerivation {
  const hours = cal.hours ?? DEFAULT_WORKING_HOURS;
  const between = (a: Date, b: Date) => workingMinutesBetween(a, b, cal.calendar, cal.timeZone, hours);
  const addMinutes = (a: Date, m: number) => addWorkingMinutes(a, Math.max(0, m), cal.calendar, cal.timeZone, hours);
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const created = sorted.find((e) => e.type === 'created');
  if (!created) throw new Error('a ticket history starts with its created event');

  const frozen = new Map<number, { resolutionUsedMinutes?: number; firstResponseUsedMinutes?: number }>();
  const marks = new Set<string>();
  const markKey = (m: TSlaMark) => `${m.type}/${m.target}/${m.cycle}/${m.level ?? ''}`;
  for (const e of sorted) {
    if (e.type === 'sla_checkpoint' && typeof e.payload.forEventId === 'number') {
      frozen.set(e.payload.forEventId, e.payload as never);
    }
    if (e.type === 'sla_warning' || e.type === 'sla_breached') {
      const p = e.payload as { target?: TSlaTarget; cycle?: number; level?: number };
      if (p.target) marks.add(markKey({ type: e.type, target: p.target, cycle: p.cycle ?? 0, level: p.level }));
    }
  }
  const checkpoints = new Map<number, TSlaCheckpoint>();
  const needCheckpoint = (eventId: number, resolutionUsed: number, firstResponseUsed?: number) => {
    const c = checkpoints.get(eventId) ?? { forEventId: eventId, resolutionUsedMinutes: round(resolutionUsed) };
    if (firstResponseUsed !== undefined) c.firstResponseUsedMinutes = round(firstResponseUsed);
    checkpoints.set(eventId, c);
  };

  // --- the current cycle: from `created` or the latest `reopen`
  let cycleStart = 0;
  let cycle = 0;
  sorted.forEach((e, i) => {
    if (e.type === 'reopen') {
      cycleStart = i;
      cycle += 1;
    }
  });
  let status = sorted[cycleStart]!.toStatus ?? 'new';
  const intervals: TInterval[] = [];
  let used = 0;
  let paused = 0;
  let pauseStart: Date | null = null;
  let stoppedAt: Date | null = null;
  let level = 0;
  let levelBase = 0;
  const responseEvent = sorted.find((e) => RESPONSE_TYPES.has(e.type));
  for (const e of sorted) if (e.type === 'escalate' && typeof e.payload.level === 'number') level = e.payload.level;

  if (RUNNING.has(status)) intervals.push({ start: sorted[cycleStart]!.at, usedBefore: 0, usedAfter: null });
  for (const e of sorted.slice(cycleStart + 1)) {
    const next = e.toStatus ?? status;
    const running = RUNNING.has(status);
    const isFirstResponse = e === responseEvent && cycle === 0;
    // An event that ends a running stretch, or marks a point whose used time must not move (escalation, first
    // response), closes the interval there — frozen by its checkpoint when there is one.
    const boundary = running && (!RUNNING.has(next) || e.type === 'escalate' || isFirstResponse);
    if (boundary) {
      const open = intervals[intervals.length - 1]!;
      const fixed = frozen.get(e.id)?.resolutionUsedMinutes;
      const after = fixed ?? open.usedBefore + between(open.start, e.at);
      open.usedAfter = after;
      used = after;
      if (fixed === undefined) needCheckpoint(e.id, after);
      if (RUNNING.has(next)) intervals.push({ start: e.at, usedBefore: used, usedAfter: null });
    } else if (!running && RUNNING.has(next)) {
      intervals.push({ start: e.at, usedBefore: used, usedAfter: null });
    }
    if (e.type === 'escalate') levelBase = used;
    if (next === 'waiting_customer' && status !== 'waiting_customer') pauseStart = e.at;
    if (status === 'waiting_customer' && next !== 'waiting_customer' && pauseStart) {
      paused += between(pauseStart, e.at);
      pauseStart = null;
    }
    if (STOPPED.has(next) && !STOPPED.has(status)) stoppedAt = e.at;
    status = next;
  }
  const last = intervals[intervals.length - 1];
  const isRunning = last !== undefined && last.usedAfter === null;
  if (isRunning) used = last.usedBefore + between(last.start, now);
  if (pauseStart) paused += between(pauseStart, now);

  /** The instant the clock's cumulative use reaches `mark` minutes; null when it has not and is not running. */
  const reachedAt = (mark: number): Date | null => {
    for (const iv of intervals) {
      if (iv.usedAfter === null || iv.usedAfter >= mark) return addMinutes(iv.start, mark - iv.usedBefore);
    }
    return null;
  };
  const isOpen = !STOPPED.has(status);

  // --- first response (first cycle's clock, from created)
  const frLimit = policy.firstResponseMinutes;
  let frUsed: number;
  let frMetAt: Date | null = null;
  if (responseEvent) {
    frMetAt = responseEvent.at;
    const fixed = frozen.get(responseEvent.id)?.firstResponseUsedMinutes;
    frUsed = fixed ?? between(created.at, responseEvent.at);
    if (fixed === undefined && cycle === 0) {
      const id = responseEvent.id;
      needCheckpoint(
        id,
        checkpoints.get(id)?.resolutionUsedMinutes ?? frozen.get(id)?.resolutionUsedMinutes ?? used,
        frUsed,
      );
    }
  } else {
    frUsed = between(created.at, stoppedAt ?? now);
  }
  const firstResponse: TSlaTargetState = {
    target: 'first_response',
    limitMinutes: frLimit,
    usedMinutes: frUsed,
    warnAt: addMinutes(created.at, frLimit * policy.warnRatio),
    dueAt: addMinutes(created.at, frLimit),
    metAt: frMetAt,
    isWarning: !frMetAt && isOpen && frUsed >= frLimit * policy.warnRatio,
    isBreached: frMetAt ? frUsed > frLimit : frUsed >= frLimit,
  };

  // --- resolution (this cycle)
  const resLimit = policy.resolutionMinutes;
  const resolvedAt = STOPPED.has(status) ? stoppedAt : null;
  const resolution: TSlaTargetState = {
    target: 'resolution',
    limitMinutes: resLimit,
    usedMinutes: used,
    warnAt: reachedAt(resLimit * policy.warnRatio),
    dueAt: reachedAt(resLimit),
    metAt: resolvedAt,
    isWarning: isOpen && used >= resLimit * policy.warnRatio,
    isBreached: resolvedAt ? used > resLimit : used >= resLimit,
  };

  // --- OLA of the current level
  const olaLimit = policy.levelMinutes[level] ?? 0;
  const ola: TSlaDerivation['ola'] =
    olaLimit > 0 && isOpen
      ? {
          target: 'ola',
          level,
          limitMinutes: olaLimit,
          usedMinutes: used - levelBase,
          warnAt: reachedAt(levelBase + olaLimit * policy.warnRatio),
          dueAt: reachedAt(levelBase + olaLimit),
          metAt: null,
          isWarning: used - levelBase >= olaLimit * policy.warnRatio,
          isBreached: used - levelBase >= olaLimit,
        }
      : null;

  const anyBreach = firstResponse.isBreached || resolution.isBreached;
  const state: TTicketSlaState = !isOpen
    ? anyBreach
      ? 'breached'
      : 'met'
    : anyBreach
      ? 'breached'
      : status === 'waiting_customer'
        ? 'paused'
        : firstResponse.isWarning || resolution.isWarning
          ? 'warning'
          : 'ok';

  const pendingMarks: TSlaMark[] = [];
  const want = (m: TSlaMark) => {
    if (!marks.has(markKey(m))) pendingMarks.push(m);
  };
  if (cycle === 0 && !frMetAt && isOpen) {
    if (firstResponse.isWarning || firstResponse.isBreached)
      want({ type: 'sla_warning', target: 'first_response', cycle: 0 });
    if (firstResponse.isBreached) want({ type: 'sla_breached', target: 'first_response', cycle: 0 });
  }
  if (isOpen) {
    if (resolution.isWarning) want({ type: 'sla_warning', target: 'resolution', cycle });
    if (resolution.isBreached) want({ type: 'sla_breached', target: 'resolution', cycle });
    if (ola?.isWarning) want({ type: 'sla_warning', target: 'ola', cycle, level });
  } else if (resolution.isBreached) {
    // Resolved after the deadline before the job saw it: the breach is still a fact worth its mark.
    want({ type: 'sla_breached', target: 'resolution', cycle });
  }

  const future = isRunning
    ? [
        ...(frMetAt || cycle > 0 ? [] : [firstResponse.warnAt, firstResponse.dueAt]),
        resolution.warnAt,
        resolution.dueAt,
        ola?.warnAt ?? null,
      ].filter((d): d is Date => d !== null && d.getTime() > now.getTime())
    : [];
  const nextCheckAt = future.length ? new Date(Math.min(...future.map((d) => d.getTime()))) : null;

  return {
    state,
    cycle,
    level,
    firstResponse,
    resolution,
    ola,
    pausedMinutes: paused,
    nextCheckAt,
    pendingMarks,
    checkpoints: [...checkpoints.values()],
  };
}

import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import {
  CALENDAR_RUNOUT_WARN_DAYS,
  type TBusinessCalendarYear,
  type TCalendarCoverage,
  type TCalendarDay,
  type TCalendarDayInput,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { businessCalendarDays, businessCalendarYears } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { addDays, localDate, type TWorkCalendar } from './calendar.ts';
import { OFFICIAL_CALENDARS } from './cn-holidays.ts';
import type { TJobSender } from '../../jobs/queue.ts';
import { invalidateOpenTicketSla } from '../tickets/sla/sla-job.ts';

/** `jobs`: when given, the SLA job re-derives the tenant's open tickets right after an edit (else within a minute). */
type TDeps = { db: Db; clock: TClock; jobs?: TJobSender };

/**
 * A calendar edit moves the deadlines of the tenant's open tickets (never the working time they already used): mark
 * their SLA cache due in the edit's transaction, and ask the SLA job to run once it is committed.
 */
async function afterCalendarEdit(deps: TDeps, tenantId: string): Promise<void> {
  await deps.jobs?.send('ticket-sla', { tenantId });
}

/**
 * Load the official holidays of every built-in year into the tenant's calendar — once per year (business_calendar_years
 * remembers it), so a day the tenant removed or changed is never put back at the next start.
 */
export async function ensureCalendarDefaults(db: DbOrTx, tenantId: string, now = new Date()): Promise<void> {
  for (const [y, official] of Object.entries(OFFICIAL_CALENDARS)) {
    const year = Number(y);
    const inserted = await db
      .insert(businessCalendarYears)
      .values({ tenantId, year, seededAt: now })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) continue;
    const rows: (typeof businessCalendarDays.$inferInsert)[] = [];
    for (const [from, to, name] of official.holidays)
      for (let d = from; d <= to; d = addDays(d, 1))
        rows.push({ tenantId, day: d, kind: 'holiday', name, updatedAt: now });
    for (const [day, name] of official.workdays) rows.push({ tenantId, day, kind: 'workday', name, updatedAt: now });
    await db.insert(businessCalendarDays).values(rows).onConflictDoNothing();
  }
}

/**
 * The tenant's calendar exceptions as sets, for addWorkingDays / isWorkingDay (policy/calendar.ts). Optionally only a
 * date range [from, to) — SLA timers over a few weeks need little; without a range the whole calendar (tens of rows
 * per year).
 */
export async function loadWorkCalendar(
  db: DbOrTx,
  tenantId: string,
  range?: { from: string; to: string },
): Promise<TWorkCalendar> {
  const rows = await db
    .select({ day: businessCalendarDays.day, kind: businessCalendarDays.kind })
    .from(businessCalendarDays)
    .where(
      and(
        eq(businessCalendarDays.tenantId, tenantId),
        range ? gte(businessCalendarDays.day, range.from) : undefined,
        range ? lt(businessCalendarDays.day, range.to) : undefined,
      ),
    );
  return {
    holidays: new Set(rows.filter((r) => r.kind === 'holiday').map((r) => r.day)),
    workdays: new Set(rows.filter((r) => r.kind === 'workday').map((r) => r.day)),
  };
}

export async function getCalendarYear(db: DbOrTx, tenantId: string, year: number): Promise<TBusinessCalendarYear> {
  const [seeded] = await db
    .select()
    .from(businessCalendarYears)
    .where(and(eq(businessCalendarYears.tenantId, tenantId), eq(businessCalendarYears.year, year)));
  const days = await db
    .select({ date: businessCalendarDays.day, kind: businessCalendarDays.kind, name: businessCalendarDays.name })
    .from(businessCalendarDays)
    .where(
      and(
        eq(businessCalendarDays.tenantId, tenantId),
        gte(businessCalendarDays.day, `${year}-01-01`),
        lt(businessCalendarDays.day, `${year + 1}-01-01`),
      ),
    )
    .orderBy(asc(businessCalendarDays.day));
  return { year, seeded: Boolean(seeded), days: days as TCalendarDay[] };
}

/** Mark a day as a holiday or a make-up working day (replacing what it was), audited with before/after. */
export async function setCalendarDay(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  date: string,
  input: TCalendarDayInput,
): Promise<TCalendarDay> {
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(businessCalendarDays)
      .where(and(eq(businessCalendarDays.tenantId, scope.tenantId), eq(businessCalendarDays.day, date)))
      .for('update');
    const values = { kind: input.kind, name: input.name, updatedAt: now };
    await tx
      .insert(businessCalendarDays)
      .values({ tenantId: scope.tenantId, day: date, ...values })
      .onConflictDoUpdate({ target: [businessCalendarDays.tenantId, businessCalendarDays.day], set: values });
    const after: TCalendarDay = { date, kind: input.kind, name: input.name };
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'business_calendar.changed',
        entityType: 'business_calendar',
        entityId: date,
        unitId: scope.unitId,
        summary: `工作日历 ${date}: ${input.kind === 'holiday' ? '节假日' : '调休上班'} ${input.name}`.trim(),
        before: before ? { date, kind: before.kind, name: before.name } : null,
        after,
      },
      now,
    );
    await invalidateOpenTicketSla(tx, scope.tenantId, now);
    return after;
  });
  await afterCalendarEdit(deps, scope.tenantId);
  return result;
}

/** Remove a day's exception: it becomes an ordinary weekday / weekend day again. 404 when it has none. */
export async function removeCalendarDay(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  date: string,
): Promise<{ ok: true }> {
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .delete(businessCalendarDays)
      .where(and(eq(businessCalendarDays.tenantId, scope.tenantId), eq(businessCalendarDays.day, date)))
      .returning();
    if (!before) throw notFound('calendar day');
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'business_calendar.changed',
        entityType: 'business_calendar',
        entityId: date,
        unitId: scope.unitId,
        summary: `工作日历 ${date}: 恢复为普通日`,
        before: { date, kind: before.kind, name: before.name },
        after: null,
      },
      now,
    );
    await invalidateOpenTicketSla(tx, scope.tenantId, now);
    return { ok: true as const };
  });
  await afterCalendarEdit(deps, scope.tenantId);
  return result;
}

/**
 * How far the tenant's calendar reaches: the end of the last year it holds (official holidays loaded, or any day the
 * tenant set). Past that day every weekday counts as a working day — 春节 included — so the admin is warned
 * CALENDAR_RUNOUT_WARN_DAYS ahead to load or enter next year's holidays.
 */
export async function getCalendarCoverage(db: DbOrTx, tenantId: string, now: Date): Promise<TCalendarCoverage> {
  const timeZone = await tenantTimeZone(db, tenantId);
  const res = await db.execute<{ year: number | null }>(sql`
    select max(y)::int as year from (
      select year as y from business_calendar_years where tenant_id = ${tenantId}
      union all
      select extract(year from max(day))::int from business_calendar_days where tenant_id = ${tenantId}
    ) s`);
  const year = res.rows[0]?.year ?? null;
  if (year === null) return { coveredUntil: null, daysLeft: null, isRunningOut: true };
  const coveredUntil = `${year}-12-31`;
  const today = localDate(now, timeZone);
  const daysLeft = Math.round((Date.parse(coveredUntil) - Date.parse(today)) / 86_400_000);
  return { coveredUntil, daysLeft, isRunningOut: daysLeft <= CALENDAR_RUNOUT_WARN_DAYS };
}

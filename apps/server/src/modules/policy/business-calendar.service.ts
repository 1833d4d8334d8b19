import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { TBusinessCalendarYear, TCalendarDay, TCalendarDayInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { businessCalendarDays, businessCalendarYears } from '../../db/schema/index.ts';
import { notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TAuditCtx, TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { addDays, type TWorkCalendar } from './calendar.ts';
import { OFFICIAL_CALENDARS } from './cn-holidays.ts';

type TDeps = { db: Db; clock: TClock };

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
  return deps.db.transaction(async (tx) => {
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
    return after;
  });
}

/** Remove a day's exception: it becomes an ordinary weekday / weekend day again. 404 when it has none. */
export async function removeCalendarDay(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  date: string,
): Promise<{ ok: true }> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
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
    return { ok: true as const };
  });
}

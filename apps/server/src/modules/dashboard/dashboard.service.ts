import type { TDashboardSummary, TPermission } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';
import { startOfDay } from '../../lib/time.ts';
import { addDays, localDays, readEvaluationRollups } from '../evaluations/rollups.ts';
import { countAuditEventsSince, recentAuditEvents } from '../audit/audit.repository.ts';
import { myCounterFigures } from '../counter/dashboard-figures.ts';
import { myTaskFigures } from '../followup/figures/dashboard-figures.ts';
import { countUnitsByType } from '../org-units/org-units.repository.ts';
import { countActiveUsers } from '../users/users.repository.ts';
import { readAppeals, readOpenTasks, readOverdueTasks } from './read-model.ts';

/**
 * Evaluations today and over the last 30 local days (excluded ratings apart) and the appeals waiting for a decision,
 * from the read models (evaluation_rollups, evaluation_appeal_rollups) — the same figures as the 驾驶舱's.
 */
async function evaluationFigures(db: Db, scope: TScope, today: string) {
  const tomorrow = addDays(today, 1);
  const [[todays], [last30], appeals] = await Promise.all([
    readEvaluationRollups(db, scope, { fromDay: today, toDay: tomorrow }),
    readEvaluationRollups(db, scope, { fromDay: addDays(today, -29), toDay: tomorrow }),
    readAppeals(db, scope, { fromDay: today, toDay: tomorrow }),
  ]);
  const rated = last30?.rated ?? 0;
  return {
    today: todays?.total ?? 0,
    last30Days: last30?.total ?? 0,
    rated30Days: rated,
    satisfiedPercent30Days: rated ? Math.round(((last30?.satisfied ?? 0) / rated) * 1000) / 10 : null,
    unsatisfied30Days: last30?.unsatisfied ?? 0,
    openAppeals: appeals.pending,
  };
}

/**
 * The team's open tasks now and those overdue — window closed before today (local), the 驾驶舱's 逾期 rule — from
 * followup_task_rollups. (An agent's own queue, myTaskFigures, counts his claimed tasks to the minute, like the
 * workbench list it opens, so it reads the tasks.)
 */
async function teamTaskFigures(db: Db, scope: TScope, today: string) {
  const [open, overdue] = await Promise.all([readOpenTasks(db, scope), readOverdueTasks(db, scope, today)]);
  return { open, overdue };
}

/** Runs `fn` only when the caller holds `perm`; otherwise the figure is null and never computed. */
const when = <T>(perms: ReadonlySet<string>, perm: TPermission, fn: () => Promise<T>): Promise<T | null> =>
  perms.has(perm) ? fn() : Promise.resolve(null);

/**
 * The dashboard 工作台 of the caller: each block only for the permission that lets him act on it, figures of his
 * scope (DESIGN §1). Teller (counter:serve without evaluation:manage): served today, own satisfaction, appeals. Agent
 * (followup:work without followup:manage): my tasks today, overdue, reach rate. Manager: evaluations of the branch, unsatisfied, team tasks,
 * units and users. Admin: everything. A block the role may not see is null: never computed, never sent.
 */
export async function getSummary(
  deps: { db: Db; clock: TClock },
  scope: TScope,
  timeZone: string,
  perms: ReadonlySet<string>,
): Promise<TDashboardSummary> {
  const now = deps.clock.now();
  const today = await startOfDay(deps.db, now, timeZone);
  const endOfToday = await startOfDay(deps.db, new Date(now.getTime() + 86_400_000), timeZone);
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const days = localDays(timeZone, now);
  const [byType, activeUsers, loginsToday, auditEventsToday, recent, evaluations, counter, myTasks, teamTasks] =
    await Promise.all([
      when(perms, 'org:read', () => countUnitsByType(deps.db, scope)),
      when(perms, 'user:read', () => countActiveUsers(deps.db, scope)),
      when(perms, 'audit:read', () => countAuditEventsSince(deps.db, scope, today, 'auth.login')),
      when(perms, 'audit:read', () => countAuditEventsSince(deps.db, scope, today)),
      when(perms, 'audit:read', () => recentAuditEvents(deps.db, scope, 8)),
      when(perms, 'evaluation:read', () => evaluationFigures(deps.db, scope, days.today)),
      // Personal blocks for those who do the work; one who manages it (a manager also holds counter:serve and
      // followup:work so that he may grant them) gets the team view instead.
      perms.has('evaluation:manage')
        ? null
        : when(perms, 'counter:serve', () => myCounterFigures(deps.db, scope, days.today, days.plus(1))),
      perms.has('followup:manage')
        ? null
        : when(perms, 'followup:work', () => myTaskFigures(deps.db, scope, { now, endOfToday, since })),
      when(perms, 'followup:manage', () => teamTaskFigures(deps.db, scope, days.today)),
    ]);
  return {
    units: byType ? byType.reduce((n, r) => n + r.count, 0) : null,
    activeUsers,
    loginsToday,
    auditEventsToday,
    unitsByType: byType,
    evaluations,
    counter,
    myTasks,
    teamTasks,
    recentEvents: recent
      ? recent.map(({ id, at, actorName, action, summary }) => ({ id, at, actorName, action, summary }))
      : null,
  };
}

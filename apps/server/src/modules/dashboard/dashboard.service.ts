import type { TDashboardSummary } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';
import { startOfDay } from '../../lib/time.ts';
import { summarizeEvaluations } from '../evaluations/evaluations.repository.ts';
import { countAuditEventsSince, recentAuditEvents } from '../audit/audit.repository.ts';
import { countUnitsByType } from '../org-units/org-units.repository.ts';
import { countActiveUsers } from '../users/users.repository.ts';

/** Real counts of the caller's scope; the analytics issue replaces this page with the full dashboards. */
export async function getSummary(deps: { db: Db; clock: TClock }, scope: TScope, timeZone: string, opts: { canReadEvaluations: boolean }): Promise<TDashboardSummary> {
  const today = await startOfDay(deps.db, deps.clock.now(), timeZone);
  const since = new Date(deps.clock.now().getTime() - 30 * 86_400_000);
  const [byType, activeUsers, loginsToday, auditEventsToday, recent, evaluations] = await Promise.all([
    countUnitsByType(deps.db, scope),
    countActiveUsers(deps.db, scope),
    countAuditEventsSince(deps.db, scope, today, 'auth.login'),
    countAuditEventsSince(deps.db, scope, today),
    recentAuditEvents(deps.db, scope, 8),
    opts.canReadEvaluations ? summarizeEvaluations(deps.db, scope, today, since) : Promise.resolve(null),
  ]);
  return {
    units: byType.reduce((n, r) => n + r.count, 0),
    activeUsers,
    loginsToday,
    auditEventsToday,
    unitsByType: byType,
    evaluations,
    recentEvents: recent.map(({ id, at, actorName, action, summary }) => ({ id, at, actorName, action, summary })),
  };
}

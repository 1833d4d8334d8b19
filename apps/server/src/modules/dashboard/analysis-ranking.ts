import { VALUE_CUT_KEYS, type TRanking, type TRankingQuery, type TRankingRow } from '@huifang/shared';
import { invalidField } from '../../lib/app-error.ts';
import type { Db } from '../../db/client.ts';
import type { TClock } from '../../lib/clock.ts';
import type { TScope } from '../../lib/scope.ts';
import { readEvaluationRollups } from '../evaluations/rollups.ts';
import { context, counterNames, drillOf, lastDay, pct1, round2, rollupFilter, userNames } from './analysis.service.ts';

/**
 * 满意度排名 of staff, counters, outlets or branches (org units of that type in the chosen subtree, their subtree
 * summed): worst and best among those with at least `minRated` rated evaluations, so that one 5-star rating does
 * not top the list; the others are counted as unranked.
 */
export async function getRanking(deps: { db: Db; clock: TClock }, scope: TScope, q: TRankingQuery): Promise<TRanking> {
  // The ranking reads staff and counters, which the customer-value cut does not keep: a value filter is refused
  // rather than silently ignored.
  for (const f of VALUE_CUT_KEYS)
    if (q[f]) throw invalidField(`querystring.${f}`, 'the 满意度排名 cannot be cut by customer value');
  const c = await context(deps, scope, q);
  type TEntry = { id: string; name: string; rated: number; satisfied: number; unsatisfied: number; scoreSum: number };
  const entries = new Map<string, TEntry>();
  const add = (
    id: string,
    name: string,
    f: { rated: number; satisfied: number; unsatisfied: number; scoreSum: number },
  ) => {
    let e = entries.get(id);
    if (!e) entries.set(id, (e = { id, name, rated: 0, satisfied: 0, unsatisfied: 0, scoreSum: 0 }));
    e.rated += f.rated;
    e.satisfied += f.satisfied;
    e.unsatisfied += f.unsatisfied;
    e.scoreSum += f.scoreSum;
  };
  if (q.kind === 'staff' || q.kind === 'counter') {
    const rows = await readEvaluationRollups(deps.db, scope, rollupFilter(c), [q.kind]);
    const ids = rows.map((f) => f.keys[q.kind as 'staff' | 'counter']).filter((k): k is string => !!k);
    const names = q.kind === 'staff' ? await userNames(deps.db, scope, ids) : await counterNames(deps.db, scope, ids);
    for (const f of rows) {
      const id = f.keys[q.kind];
      if (id) add(id, names.get(id) ?? id, f);
    }
  } else {
    const targets = new Map(c.units.filter((u) => u.type === q.kind).map((u) => [u.id, u]));
    const pathOf = new Map(c.units.map((u) => [u.id, u.path]));
    for (const f of await readEvaluationRollups(deps.db, scope, rollupFilter(c), ['unit'])) {
      const path = f.keys.unit ? pathOf.get(f.keys.unit) : undefined;
      for (const id of path?.split('/').filter(Boolean) ?? []) {
        const u = targets.get(id);
        if (u) add(u.id, u.name, f);
      }
    }
  }
  const toRanked = (e: TEntry): TRankingRow => ({
    id: e.id,
    name: e.name,
    rated: e.rated,
    satisfactionRate: pct1(e.satisfied, e.rated),
    avgScore: round2(e.scoreSum, e.rated),
    unsatisfied: e.unsatisfied,
    drill: drillOf(
      c,
      q.kind === 'staff' ? { staffId: e.id } : q.kind === 'counter' ? { counterId: e.id } : { unitId: e.id },
    ),
  });
  const all = [...entries.values()];
  const ranked = all.filter((e) => e.rated >= q.minRated).map(toRanked);
  const rate = (r: TRankingRow) => r.satisfactionRate ?? 0;
  const worst = [...ranked].sort((a, b) => rate(a) - rate(b) || b.unsatisfied - a.unsatisfied || b.rated - a.rated);
  const best = [...ranked].sort((a, b) => rate(b) - rate(a) || b.rated - a.rated || a.unsatisfied - b.unsatisfied);
  return {
    kind: q.kind,
    minRated: q.minRated,
    from: c.range.fromDay,
    to: lastDay(c.range),
    worst: worst.slice(0, q.limit),
    best: best.slice(0, q.limit),
    ranked: ranked.length,
    unranked: all.length - ranked.length,
  };
}

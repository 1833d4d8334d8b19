import type { DbOrTx } from '../../db/client.ts';
import type { TScope } from '../../lib/scope.ts';
import { mySessionFigures } from './sessions.repository.ts';

/** A teller's own counter figures for the dashboard 工作台: customers served today (sessions started since local midnight). */
export async function myCounterFigures(db: DbOrTx, scope: TScope, today: string, tomorrow: string) {
  const r = await mySessionFigures(db, scope, today, tomorrow);
  return { servedToday: r.served, avgHandlingSecondsToday: r.avgHandlingSeconds };
}

import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { unknownRef } from '../../lib/app-error.ts';
import { unitVisible, type TScope } from '../../lib/scope.ts';

export type TReportUnit = {
  id: string;
  name: string;
  path: string;
};

/**
 * A report's unit intersected with the caller's scope: the scope every figure of the report is read with. A
 * manager (subtree / tenant) choosing a unit he sees gets that unit's subtree; `own` and `unit` scopes can only
 * report on their own unit and keep their scope (a teller: his own rows). A unit he cannot see (or of another
 * tenant, or unknown) is a 404 naming the field, so its existence never leaks. Null unitId = the caller's unit.
 */
export async function reportScope(
  db: DbOrTx,
  scope: TScope,
  unitId: string | undefined,
  field = 'query.unitId',
): Promise<{ scope: TScope; unit: TReportUnit }> {
  const id = unitId ?? scope.unitId;
  const res = await db.execute<TReportUnit>(sql`
    select ou.id, ou.name, ou.path from org_units ou
    where ou.tenant_id = ${scope.tenantId} and ou.id = ${id} and ${unitVisible(scope, sql`ou.id`)}`);
  const unit = res.rows[0];
  if (!unit) throw unknownRef(field, 'unit');
  if (scope.dataScope === 'own' || scope.dataScope === 'unit') return { scope, unit };
  return { scope: { ...scope, unitId: unit.id, unitPath: unit.path, dataScope: 'subtree' }, unit };
}

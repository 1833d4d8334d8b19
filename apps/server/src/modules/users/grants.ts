import { DATA_SCOPE_RANK, type TDataScope, type TPermission } from '@huifang/shared';

/**
 * No privilege escalation: a user may grant (or manage a holder of) a role only when the role's permissions are a
 * subset of their own and its data scope is no wider than theirs.
 */
export function canGrant(
  actor: { permissions: ReadonlySet<TPermission>; dataScope: TDataScope },
  role: { permissions: string[]; dataScope: string },
): boolean {
  if (DATA_SCOPE_RANK[role.dataScope as TDataScope] > DATA_SCOPE_RANK[actor.dataScope]) return false;
  return role.permissions.every((p) => actor.permissions.has(p as TPermission));
}

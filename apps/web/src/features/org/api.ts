import { useQuery } from '@tanstack/react-query';
import type { TOrgUnit } from '@huifang/shared';
import { get, qs } from '../../api/client.ts';
import { can, useMe } from '../auth/api.ts';

export const UNITS_KEY = ['org-units'] as const;

/**
 * The org tree (org:read). Pages that only offer it as a filter call this for every role, so without the permission
 * the request is not sent at all (it would only answer 403) and the list stays empty: callers hide the unit picker.
 */
export const useUnits = (includeInactive = false) => {
  const canRead = can(useMe().data, 'org:read');
  return useQuery({
    queryKey: [...UNITS_KEY, includeInactive],
    queryFn: () =>
      get<{ items: TOrgUnit[] }>(`/org-units/tree${qs({ includeInactive: includeInactive || undefined })}`).then(
        (r) => r.items,
      ),
    enabled: canRead,
  });
};

export interface TUnitNode {
  key: string;
  value: string;
  title: string;
  unit: TOrgUnit;
  disabled?: boolean;
  children: TUnitNode[];
}

/** Build a tree from the flat list; roots are units whose parent is not visible to the user. */
export function buildTree(units: TOrgUnit[], label: (u: TOrgUnit) => string = (u) => u.name): TUnitNode[] {
  const byId = new Map<string, TUnitNode>();
  for (const u of units) byId.set(u.id, { key: u.id, value: u.id, title: label(u), unit: u, children: [] });
  const roots: TUnitNode[] = [];
  for (const u of units) {
    const node = byId.get(u.id)!;
    const parent = u.parentId ? byId.get(u.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (ns: TUnitNode[]) => {
    ns.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || a.unit.name.localeCompare(b.unit.name, 'zh-CN'));
    ns.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

import { describe, expect, it } from 'vitest';
import type { TPermission } from '@huifang/shared';
import { canGrant } from './grants.ts';

const manager = {
  permissions: new Set<TPermission>(['user:read', 'user:write', 'org:read']),
  dataScope: 'subtree' as const,
};

describe('canGrant', () => {
  it('allows a role whose permissions and scope the actor holds', () => {
    expect(canGrant(manager, { permissions: ['user:read'], dataScope: 'unit' })).toBe(true);
    expect(canGrant(manager, { permissions: ['user:read', 'org:read'], dataScope: 'subtree' })).toBe(true);
  });
  it('refuses a permission the actor lacks', () => {
    expect(canGrant(manager, { permissions: ['role:write'], dataScope: 'own' })).toBe(false);
  });
  it('refuses a wider data scope', () => {
    expect(canGrant(manager, { permissions: [], dataScope: 'tenant' })).toBe(false);
  });
});

import { z } from 'zod';
import { UNIT_TYPES } from '../enums.ts';
import { ZId } from './common.ts';

export const ZOrgUnit = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  type: z.enum(UNIT_TYPES),
  name: z.string(),
  code: z.string().nullable(),
  isActive: z.boolean(),
  sortOrder: z.number().int(),
  depth: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TOrgUnit = z.infer<typeof ZOrgUnit>;

export const ZCreateOrgUnitInput = z.object({
  parentId: ZId,
  type: z.enum(UNIT_TYPES),
  name: z.string().trim().min(1, '请输入名称').max(100),
  code: z.string().trim().max(32).optional(),
  sortOrder: z.number().int().min(0).max(100000).optional(),
});
export type TCreateOrgUnitInput = z.infer<typeof ZCreateOrgUnitInput>;

export const ZUpdateOrgUnitInput = z
  .object({
    name: z.string().trim().min(1, '请输入名称').max(100),
    type: z.enum(UNIT_TYPES),
    code: z.string().trim().max(32).nullable(),
    sortOrder: z.number().int().min(0).max(100000),
    isActive: z.boolean(),
  })
  .partial();
export type TUpdateOrgUnitInput = z.infer<typeof ZUpdateOrgUnitInput>;

export const ZMoveOrgUnitInput = z.object({ parentId: ZId });
export type TMoveOrgUnitInput = z.infer<typeof ZMoveOrgUnitInput>;

export const ZOrgUnitListQuery = z.object({
  includeInactive: z.enum(['true', 'false']).optional(),
});

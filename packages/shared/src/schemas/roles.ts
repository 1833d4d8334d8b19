import { z } from 'zod';
import { DATA_SCOPES, PERMISSIONS } from '../enums.ts';

export const ZRole = z.object({
  id: z.string(),
  key: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  dataScope: z.enum(DATA_SCOPES),
  isBuiltin: z.boolean(),
  userCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TRole = z.infer<typeof ZRole>;

export const ZCreateRoleInput = z.object({
  name: z.string().trim().min(1, '请输入角色名称').max(64),
  description: z.string().trim().max(200).nullable().optional(),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
  dataScope: z.enum(DATA_SCOPES),
});
export type TCreateRoleInput = z.infer<typeof ZCreateRoleInput>;

export const ZUpdateRoleInput = ZCreateRoleInput.partial();
export type TUpdateRoleInput = z.infer<typeof ZUpdateRoleInput>;

import { z } from 'zod';
import { DATA_SCOPES, PERMISSIONS } from '../enums.ts';

export const ZLoginInput = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
  /** Tenant slug; optional while the install serves one tenant. */
  tenant: z.string().trim().max(64).optional(),
});
export type TLoginInput = z.infer<typeof ZLoginInput>;

/** Password policy: at least 8 characters with letters and digits. */
export const ZPassword = z
  .string()
  .min(8, '密码至少 8 位')
  .max(200)
  .regex(/[A-Za-z]/, '密码须包含字母')
  .regex(/[0-9]/, '密码须包含数字');

export const ZChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: ZPassword,
});
export type TChangePasswordInput = z.infer<typeof ZChangePasswordInput>;

export const ZMe = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    unitId: z.string(),
    unitName: z.string(),
    mustChangePassword: z.boolean(),
  }),
  tenant: z.object({ id: z.string(), name: z.string(), slug: z.string(), timeZone: z.string() }),
  permissions: z.array(z.enum(PERMISSIONS)),
  roles: z.array(z.object({ id: z.string(), key: z.string().nullable(), name: z.string() })),
  dataScope: z.enum(DATA_SCOPES),
  /** Send back as `X-CSRF-Token` on every write. */
  csrfToken: z.string(),
});
export type TMe = z.infer<typeof ZMe>;

import { z } from 'zod';
import { ZPageQuery } from '../pagination.ts';
import { ZPassword } from './auth.ts';
import { ZId } from './common.ts';

/** Photo as a data URL (PNG/JPEG/WebP), shown on the kiosk staff card. ≤ 300 KB. */
export const ZPhoto = z
  .string()
  .max(400_000, '照片不能超过 300KB')
  .regex(/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/, '照片须为 PNG/JPEG/WebP');

export const ZUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  staffNo: z.string().nullable(),
  title: z.string().nullable(),
  businessHandled: z.array(z.string()),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  hasPhoto: z.boolean(),
  isActive: z.boolean(),
  mustChangePassword: z.boolean(),
  roles: z.array(z.object({ id: z.string(), name: z.string(), key: z.string().nullable() })),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TUser = z.infer<typeof ZUser>;

const userFields = {
  displayName: z.string().trim().min(1, '请输入姓名').max(64),
  unitId: ZId,
  roleIds: z.array(ZId).max(20),
  staffNo: z.string().trim().max(32).nullable().optional(),
  title: z.string().trim().max(64).nullable().optional(),
  businessHandled: z.array(z.string().trim().min(1).max(32)).max(20).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$/, '请输入有效的手机号或带区号的座机号')
    .nullable()
    .optional(),
  email: z.email('邮箱格式不正确').nullable().optional(),
  photo: ZPhoto.nullable().optional(),
};

export const ZCreateUserInput = z.object({
  username: z
    .string()
    .trim()
    .min(2, '用户名至少 2 位')
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, '用户名只能包含字母、数字、下划线、点和横线'),
  password: ZPassword,
  ...userFields,
});
export type TCreateUserInput = z.infer<typeof ZCreateUserInput>;

export const ZUpdateUserInput = z.object(userFields).partial().extend({ isActive: z.boolean().optional() });
export type TUpdateUserInput = z.infer<typeof ZUpdateUserInput>;

export const ZResetPasswordInput = z.object({ password: ZPassword });
export type TResetPasswordInput = z.infer<typeof ZResetPasswordInput>;

export const ZUserListQuery = ZPageQuery.extend({
  unitId: ZId.optional(),
  /** Include users of the unit's whole subtree (default) or only the unit itself. */
  subtree: z.enum(['true', 'false']).optional(),
  roleId: ZId.optional(),
  isActive: z.enum(['true', 'false']).optional(),
});
export type TUserListQuery = z.infer<typeof ZUserListQuery>;

/** 解除登录锁定: how many sources were waiting after failed logins on the account. */
export const ZUnlockLoginResult = z.object({ unlockedSources: z.number().int() });
export type TUnlockLoginResult = z.infer<typeof ZUnlockLoginResult>;

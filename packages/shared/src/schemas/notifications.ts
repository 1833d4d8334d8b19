import { z } from 'zod';

/** In-app notifications 站内通知 (DESIGN §8). */
export const ZNotification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TNotification = z.infer<typeof ZNotification>;

/** Unread notifications of one kind, counted together (the bell shows one row "回访任务逾期升级 ×21"), with the newest. */
export const ZNotificationGroup = z.object({ kind: z.string(), unread: z.number(), latest: ZNotification });
export type TNotificationGroup = z.infer<typeof ZNotificationGroup>;

export const ZNotificationList = z.object({
  items: z.array(ZNotification),
  unreadCount: z.number(),
  /** Unread notifications by kind, the kind with the newest first (all my unread ones, whatever `limit` says). */
  groups: z.array(ZNotificationGroup),
});
export type TNotificationList = z.infer<typeof ZNotificationList>;

const ZKind = z
  .string()
  .regex(/^[a-z_]+(\.[a-z_]+)*$/)
  .max(60);
export const ZNotificationQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  /** Only notifications of this kind (e.g. followup.escalated). */
  kind: ZKind.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const ZReadAllQuery = z.object({ kind: ZKind.optional() });

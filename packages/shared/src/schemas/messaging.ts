import { z } from 'zod';

/** The outbox 发件箱 (DESIGN §8): outbound e-mail (and later SMS), written in the business transaction, sent by a job. */
export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type TMessageStatus = (typeof MESSAGE_STATUSES)[number];

export const ZOutboxListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(MESSAGE_STATUSES).optional(),
});
export type TOutboxListQuery = z.infer<typeof ZOutboxListQuery>;

export const ZOutboxMessage = z.object({
  id: z.string(),
  channel: z.enum(MESSAGE_CHANNELS),
  /** Masked (a***@example.com) unless the reader may reveal personal data. */
  to: z.string(),
  subject: z.string().nullable(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sendAfter: z.string(),
  sentAt: z.string().nullable(),
  refType: z.string().nullable(),
});
export type TOutboxMessage = z.infer<typeof ZOutboxMessage>;

export const ZOutboxPage = z.object({
  items: z.array(ZOutboxMessage),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  /** False when SMTP_URL is not set: e-mail stays queued. */
  smtpConfigured: z.boolean(),
  counts: z.record(z.string(), z.number()),
});

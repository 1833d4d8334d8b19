import { z } from 'zod';

/** The outbox 发件箱 (DESIGN §8): outbound e-mail (and later SMS), written in the business transaction, sent by a job. */
export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type TMessageStatus = (typeof MESSAGE_STATUSES)[number];
export const DELIVERY_STATUSES = ['delivered', 'undelivered'] as const;

export const ZOutboxListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(MESSAGE_STATUSES).optional(),
  channel: z.enum(MESSAGE_CHANNELS).optional(),
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
  /** Marketing message (needs consent_marketing; SMS carry the opt-out text). */
  isMarketing: z.boolean(),
  /** The SMS provider's id of the sent message (Aliyun BizId / Tencent SerialNo). */
  providerMessageId: z.string().nullable(),
  /** The contact policy's last decision: deferred:<reason> (send_after moved) or blocked:<reason> (cancelled). */
  policyOutcome: z.string().nullable(),
  /** Provider receipt 回执: delivered | undelivered; null = none yet (or e-mail, which has no receipts). */
  deliveryStatus: z.enum(DELIVERY_STATUSES).nullable(),
  deliveredAt: z.string().nullable(),
  deliveryError: z.string().nullable(),
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
export type TOutboxPage = z.infer<typeof ZOutboxPage>;

/**
 * Aliyun template variables must be ASCII (`${name}`): the script placeholders go to Aliyun under these names (an
 * Aliyun template for a plan is registered with e.g. `${salutation}您好，感谢您到${outlet}办理业务`). Tencent's
 * parameters are positional ({1}, {2}… in the order the placeholders appear), so they need no names.
 */
export const ALIYUN_PARAM_NAMES: Record<string, string> = {
  客户姓名: 'name',
  客户称呼: 'salutation',
  服务日期: 'serviceDate',
  服务类型: 'serviceType',
  坐席姓名: 'agent',
  计划名称: 'plan',
  网点名称: 'outlet',
  礼品: 'gift',
};

/** SMS providers: log = written to the app log only (default). */
export const SMS_PROVIDERS = ['log', 'aliyun', 'tencent'] as const;
export type TSmsProviderName = (typeof SMS_PROVIDERS)[number];

/** The tenant's SMS settings as the API shows them: the secret is never returned, only whether one is stored. */
export const ZSmsSettings = z.object({
  provider: z.enum(SMS_PROVIDERS),
  accessKeyId: z.string().nullable(),
  accessKeySecretSet: z.boolean(),
  signName: z.string().nullable(),
  sdkAppId: z.string().nullable(),
  region: z.string().nullable(),
  optOutText: z.string(),
  /** Whether receipt webhooks are set up (the token itself is shown only once, by POST /settings/sms/receipt-token). */
  receiptTokenSet: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type TSmsSettings = z.infer<typeof ZSmsSettings>;

const optText = (max: number) => z.string().trim().min(1).max(max).nullable().optional();
/** Update: an absent accessKeySecret keeps the stored one. */
export const ZSmsSettingsInput = z
  .object({
    provider: z.enum(SMS_PROVIDERS),
    accessKeyId: optText(128),
    accessKeySecret: z.string().min(1).max(256).optional(),
    signName: optText(40),
    sdkAppId: optText(40),
    region: optText(40),
    optOutText: z.string().trim().min(1).max(40).default('拒收请回复R'),
  })
  .superRefine((v, ctx) => {
    if (v.provider === 'log') return;
    if (!v.accessKeyId) ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'required for this provider' });
    if (!v.signName) ctx.addIssue({ code: 'custom', path: ['signName'], message: 'required for this provider' });
    if (v.provider === 'tencent' && !v.sdkAppId)
      ctx.addIssue({ code: 'custom', path: ['sdkAppId'], message: 'required for Tencent Cloud' });
  });
export type TSmsSettingsInput = z.infer<typeof ZSmsSettingsInput>;

/** A fresh receipt webhook token with the two URLs to enter in the providers' consoles (shown once). */
export const ZSmsReceiptToken = z.object({ token: z.string(), aliyunUrl: z.string(), tencentUrl: z.string() });
export type TSmsReceiptToken = z.infer<typeof ZSmsReceiptToken>;

/** Aliyun SmsReport HTTP batch push (JSON array); unknown fields are ignored. */
export const ZAliyunSmsReport = z
  .array(
    z.object({
      biz_id: z.string().min(1).max(100),
      success: z.boolean(),
      err_code: z.string().max(100).nullish(),
      err_msg: z.string().max(500).nullish(),
      report_time: z.string().max(40).nullish(),
      phone_number: z.string().max(40).nullish(),
      out_id: z.string().max(100).nullish(),
    }),
  )
  .max(1000);
/** Tencent Cloud SMS delivery callback (JSON array); unknown fields are ignored. */
export const ZTencentSmsReport = z
  .array(
    z.object({
      sid: z.string().min(1).max(100),
      report_status: z.enum(['SUCCESS', 'FAIL']),
      errmsg: z.string().max(200).nullish(),
      description: z.string().max(500).nullish(),
      user_receive_time: z.string().max(40).nullish(),
      mobile: z.string().max(40).nullish(),
    }),
  )
  .max(1000);

/** What a receipt push did: matched messages updated, repeats (already had this status), unknown ids (ignored). */
export const ZReceiptResult = z.object({ updated: z.number(), unchanged: z.number(), unknown: z.number() });
export type TReceiptResult = z.infer<typeof ZReceiptResult>;

/** Messages of a plan's automatic sends, by outcome (plan KPIs). */
export const ZPlanMessageStats = z.object({
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  undelivered: z.number(),
  blocked: z.number(),
  failed: z.number(),
});
export type TPlanMessageStats = z.infer<typeof ZPlanMessageStats>;

import { z } from 'zod';
import { ZId } from './common.ts';
import { ZPhoneInput } from './customers.ts';
import { DEFAULT_KIOSK_KEYS } from './evaluations.ts';

/**
 * Counter evaluator 窗口评价器 (DESIGN §4.1): pairing, outlet key settings, the device's live state, ratings,
 * the teller's service sessions 服务记录 and their report.
 */
export const ZKioskKey = z.object({
  label: z.string().trim().min(1).max(8),
  score: z.number().int().min(1).max(5),
});
export type TKioskKey = z.infer<typeof ZKioskKey>;

export const DEFAULT_KIOSK_TIMEOUT_SECONDS = 30;
/** A press sooner than this after the prompt was shown is flagged `fast_press` (nobody reads the keys that fast). */
export const FAST_PRESS_MS = 800;

export const ZKioskSettingsInput = z.object({
  keys: z.array(ZKioskKey).min(3, '至少 3 个按键').max(5, '最多 5 个按键'),
  timeoutSeconds: z.number().int().min(5).max(300),
});
export type TKioskSettingsInput = z.infer<typeof ZKioskSettingsInput>;
export const ZKioskSettings = ZKioskSettingsInput.extend({ outletId: z.string(), isDefault: z.boolean() });
export type TKioskSettings = z.infer<typeof ZKioskSettings>;
export const defaultKioskSettings = (outletId: string): TKioskSettings => ({
  outletId,
  keys: DEFAULT_KIOSK_KEYS.map((k) => ({ ...k })),
  timeoutSeconds: DEFAULT_KIOSK_TIMEOUT_SECONDS,
  isDefault: true,
});
export const ZOutletParams = z.object({ outletId: ZId });

export const ZPairingCodeInput = z.object({ counterId: ZId, deviceName: z.string().trim().min(1).max(40) });
export type TPairingCodeInput = z.infer<typeof ZPairingCodeInput>;

export const ZPairInput = z.object({ code: z.string().trim().min(4).max(20) });
export type TPairInput = z.infer<typeof ZPairInput>;

export const ZKioskDevice = z.object({
  id: z.string(),
  name: z.string(),
  counterId: z.string(),
  counterName: z.string(),
  outletId: z.string(),
  outletName: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TKioskDevice = z.infer<typeof ZKioskDevice>;

/**
 * A new pairing code, with the devices already active on that counter: normally one tablet serves a counter, so the
 * manager is warned (and may revoke the older ones) before a second one is paired.
 */
export const ZPairingCode = z.object({
  code: z.string(),
  expiresAt: z.string(),
  counterId: z.string(),
  activeDevices: z.array(ZKioskDevice),
});
export type TPairingCode = z.infer<typeof ZPairingCode>;
/** `otherActiveDevices`: devices still active on the same counter besides this one (0 normally; more → a warning). */
export const ZPairResult = z.object({
  deviceId: z.string(),
  token: z.string(),
  counterName: z.string(),
  outletName: z.string(),
  otherActiveDevices: z.number().int(),
});
export type TPairResult = z.infer<typeof ZPairResult>;

/** Outlets and counters the caller may configure or pair (for the admin page's selects). */
export const ZKioskUnits = z.object({
  outlets: z.array(
    z.object({ id: z.string(), name: z.string(), counters: z.array(z.object({ id: z.string(), name: z.string() })) }),
  ),
});
export type TKioskUnits = z.infer<typeof ZKioskUnits>;

export const ZStaffCard = z.object({
  id: z.string(),
  name: z.string(),
  staffNo: z.string().nullable(),
  title: z.string().nullable(),
  businessHandled: z.array(z.string()),
  photo: z.string().nullable(),
});
export type TStaffCard = z.infer<typeof ZStaffCard>;

/** What the kiosk shows: idle, a service in progress (staff card), or the rating prompt of an ended session. */
export const ZKioskState = z.object({
  state: z.enum(['idle', 'serving', 'rating']),
  sessionId: z.string().nullable(),
  staff: ZStaffCard.nullable(),
  endedAt: z.string().nullable(),
  counterName: z.string(),
  outletName: z.string(),
  keys: z.array(ZKioskKey),
  timeoutSeconds: z.number(),
  serverTime: z.string(),
});
export type TKioskState = z.infer<typeof ZKioskState>;

export const ZKioskRatingInput = z.object({
  sessionId: ZId,
  /** 1-based position of the key pressed (number keys 1–N on a keypad). */
  key: z.number().int().min(1).max(5),
  /** When the kiosk showed the prompt and when the customer pressed (kiosk clock). */
  shownAt: z.iso.datetime({ offset: true }),
  pressedAt: z.iso.datetime({ offset: true }),
});
export type TKioskRatingInput = z.infer<typeof ZKioskRatingInput>;
export const ZIdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/),
});
export const ZKioskRatingResult = z.object({
  evaluationId: z.string(),
  score: z.number().nullable(),
  label: z.string().nullable(),
  flags: z.array(z.string()),
  /** True when this Idempotency-Key was already stored: nothing new was written. */
  replayed: z.boolean(),
});
export type TKioskRatingResult = z.infer<typeof ZKioskRatingResult>;

// ---- teller side 柜员端 -------------------------------------------------------------------------------------------

export const ZServiceSession = z.object({
  id: z.string(),
  counterId: z.string(),
  counterName: z.string().nullable(),
  outletId: z.string(),
  outletName: z.string().nullable(),
  staffId: z.string(),
  staffName: z.string().nullable(),
  businessType: z.string(),
  customerId: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  handlingSeconds: z.number().nullable(),
  score: z.number().nullable(),
  ratingLabel: z.string().nullable(),
  evaluationId: z.string().nullable(),
  /** The teller flagged the customer served as a potential customer 潜力客户 (once per session). */
  isPotentialCustomer: z.boolean(),
});
export type TServiceSession = z.infer<typeof ZServiceSession>;

/**
 * 潜力客户: flag the customer of one's own service (during or after it). Without a customer linked to the service,
 * the quick form names one (name + phone): the outlet's customer with that phone, or a new one.
 */
export const ZPotentialCustomerInput = z.object({
  customer: z
    .object({
      name: z.string().trim().min(1, '请输入客户姓名').max(100),
      phone: ZPhoneInput,
    })
    .optional(),
});
export type TPotentialCustomerInput = z.infer<typeof ZPotentialCustomerInput>;

export const POTENTIAL_CUSTOMER_SOURCES = ['linked', 'matched', 'created'] as const;
export const ZPotentialCustomerFlag = z.object({
  id: z.string(),
  sessionId: z.string(),
  customerId: z.string(),
  /** Masked (张*). */
  customerName: z.string(),
  /** linked: the service's customer; matched / created: from the quick form. */
  customerSource: z.enum(POTENTIAL_CUSTOMER_SOURCES),
  flaggedAt: z.string(),
  /** SMS queued to the outlet head(s) by this request (0 on a repeat). */
  smsQueued: z.number(),
  /** A follow-up task was created for the customer by this request. */
  taskCreated: z.boolean(),
  /** The session was already flagged: nothing more was done. */
  isRepeat: z.boolean(),
});
export type TPotentialCustomerFlag = z.infer<typeof ZPotentialCustomerFlag>;

export const ZStartSessionInput = z.object({
  counterId: ZId,
  businessType: z.string().trim().min(1).max(40),
  customerId: ZId.optional(),
});
export type TStartSessionInput = z.infer<typeof ZStartSessionInput>;

export const ZCounterStats = z.object({
  servedToday: z.number(),
  avgHandlingSeconds: z.number().nullable(),
  ratedToday: z.number(),
  avgScoreToday: z.number().nullable(),
  unsatisfiedToday: z.number(),
});
export type TCounterStats = z.infer<typeof ZCounterStats>;

export const ZCounterContext = z.object({
  counters: z.array(z.object({ id: z.string(), name: z.string(), outletName: z.string() })),
  defaultCounterId: z.string().nullable(),
  businessTypes: z.array(z.string()),
  openSession: ZServiceSession.nullable(),
  recent: z.array(ZServiceSession),
  stats: ZCounterStats,
});
export type TCounterContext = z.infer<typeof ZCounterContext>;

export const ZSessionListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  unitId: ZId.optional(),
  staffId: ZId.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type TSessionListQuery = z.infer<typeof ZSessionListQuery>;

export const SESSION_REPORT_GROUPS = ['outlet', 'staff', 'day'] as const;
export const ZSessionReportQuery = z.object({
  groupBy: z.enum(SESSION_REPORT_GROUPS).default('outlet'),
  unitId: ZId.optional(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export type TSessionReportQuery = z.infer<typeof ZSessionReportQuery>;

export const ZSessionReportRow = z.object({
  key: z.string(),
  label: z.string(),
  /** Outlet of a staff row (for the link to the evaluations list). */
  unitId: z.string().nullable(),
  sessions: z.number(),
  avgHandlingSeconds: z.number().nullable(),
  rated: z.number(),
  unrated: z.number(),
  avgScore: z.number().nullable(),
  /** Share of rated sessions scored 4–5 (满意率), 0–1. */
  satisfaction: z.number().nullable(),
  unsatisfied: z.number(),
});
export type TSessionReportRow = z.infer<typeof ZSessionReportRow>;
export const ZSessionReport = z.object({ rows: z.array(ZSessionReportRow) });
export type TSessionReport = z.infer<typeof ZSessionReport>;

/** Staff whose share of top marks over the last 30 days is above mean + 2σ of their outlet (≥ 20 ratings each). */
export const ZTopMarkOutlier = z.object({
  staffId: z.string(),
  staffName: z.string(),
  outletId: z.string(),
  outletName: z.string(),
  ratings: z.number(),
  topShare: z.number(),
  outletMean: z.number(),
  outletStddev: z.number(),
});
export type TTopMarkOutlier = z.infer<typeof ZTopMarkOutlier>;
export const ZTopMarkOutliers = z.object({ items: z.array(ZTopMarkOutlier), since: z.string() });

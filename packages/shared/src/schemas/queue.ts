import { z } from 'zod';
import { ZId } from './common.ts';

/**
 * Queue ticketing 排队叫号 (DESIGN §4.4): outlet set-up (business types with prefixes, counters ↔ types, opening hours,
 * the priority rule), taking a number 取号 (public: touch screen and phone page), calling 叫号 from the counter page.
 */

const ZHhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const ZQueueTypeInput = z.object({
  /** Absent: a new type. */
  id: ZId.optional(),
  name: z.string().trim().min(1).max(20),
  /** 号码前缀, e.g. A → A001. */
  prefix: z
    .string()
    .trim()
    .regex(/^[A-Z]{1,2}$/, '1–2 capital letters'),
  isActive: z.boolean().default(true),
  /** Counters 窗口 of the outlet that serve this type. */
  counterIds: z.array(ZId).max(100).default([]),
});
export type TQueueTypeInput = z.infer<typeof ZQueueTypeInput>;

export const ZQueueSetupInput = z
  .object({
    opensAt: ZHhMm,
    closesAt: ZHhMm,
    /** Customers of these tiers 客户等级 are called first (the priority rule); empty: first come, first served. */
    vipTiers: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    /** …but never more than this many priority customers in a row. */
    maxVipInRow: z.number().int().min(1).max(20).default(3),
    /** 排队预警: more than this many waiting / anyone waiting longer than this many minutes (null: off). */
    alertQueueLength: z.number().int().min(1).max(1000).nullable().default(null),
    alertWaitMinutes: z.number().int().min(1).max(600).nullable().default(null),
    types: z.array(ZQueueTypeInput).min(1).max(20),
  })
  .superRefine((v, ctx) => {
    if (v.opensAt >= v.closesAt)
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'closes before it opens' });
    const seen = new Set<string>();
    v.types.forEach((t, i) => {
      if (seen.has(t.prefix))
        ctx.addIssue({ code: 'custom', path: ['types', i, 'prefix'], message: 'prefix used twice' });
      seen.add(t.prefix);
    });
  });
export type TQueueSetupInput = z.infer<typeof ZQueueSetupInput>;

export const ZQueueType = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  sortOrder: z.number(),
  isActive: z.boolean(),
  counterIds: z.array(z.string()),
});
export type TQueueType = z.infer<typeof ZQueueType>;

export const ZQueueSetup = z.object({
  outletId: z.string(),
  outletName: z.string(),
  /** Null until the manager saves the set-up once. */
  opensAt: z.string().nullable(),
  closesAt: z.string().nullable(),
  vipTiers: z.array(z.string()),
  maxVipInRow: z.number(),
  alertQueueLength: z.number().nullable(),
  alertWaitMinutes: z.number().nullable(),
  /** The public take-a-number link token (QR code); null until set up. */
  linkToken: z.string().nullable(),
  types: z.array(ZQueueType),
  counters: z.array(z.object({ id: z.string(), name: z.string() })),
  notices: z.array(z.object({ text: z.string().nullable(), image: z.string().nullable() })),
});
export type TQueueSetup = z.infer<typeof ZQueueSetup>;

export const ZQueueOutlets = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string(), isSetUp: z.boolean() })),
});
export type TQueueOutlets = z.infer<typeof ZQueueOutlets>;

// ---- public: take a number 取号 ---------------------------------------------------------------------------------

export const ZQueueLinkParams = z.object({ token: z.string().min(16).max(64) });

export const ZQueueBoard = z.object({
  outletName: z.string(),
  isOpen: z.boolean(),
  opensAt: z.string(),
  closesAt: z.string(),
  types: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string(),
      waiting: z.number(),
      estimatedWaitMinutes: z.number(),
    }),
  ),
});
export type TQueueBoard = z.infer<typeof ZQueueBoard>;

export const QUEUE_CHANNELS = ['screen', 'phone'] as const;
export const ZTakeTicketInput = z.object({
  typeId: ZId,
  channel: z.enum(QUEUE_CHANNELS),
  /**
   * Optional, at most one of them: a known customer is recognised by a phone, a card number 卡号 or an ID number
   * 身份证号 (and a priority tier applies). The server checks their format (400 naming the field); an unknown one
   * still takes a plain number.
   */
  phone: z.string().trim().max(30).optional(),
  cardNumber: z.string().trim().max(40).optional(),
  idNumber: z.string().trim().max(30).optional(),
});
export type TTakeTicketInput = z.infer<typeof ZTakeTicketInput>;

export const QUEUE_TICKET_STATUSES = ['waiting', 'called', 'no_show'] as const;
export type TQueueTicketStatus = (typeof QUEUE_TICKET_STATUSES)[number];

/** What the customer sees of their ticket (screen slip, phone page). */
export const ZQueuePublicTicket = z.object({
  id: z.string(),
  number: z.string(),
  typeName: z.string(),
  outletName: z.string(),
  status: z.enum(QUEUE_TICKET_STATUSES),
  /** People before this ticket in its queue (waiting only). */
  ahead: z.number(),
  estimatedWaitMinutes: z.number(),
  /** The counter it was called to 请到 X 号窗口 (called only). */
  counterName: z.string().nullable(),
  takenAt: z.string(),
  calledAt: z.string().nullable(),
  /** True when this Idempotency-Key had taken the ticket already: nothing new was written. */
  replayed: z.boolean().optional(),
});
export type TQueuePublicTicket = z.infer<typeof ZQueuePublicTicket>;

// ---- the counter page: call 叫号 --------------------------------------------------------------------------------

export const ZQueueTicket = z.object({
  id: z.string(),
  number: z.string(),
  typeId: z.string(),
  typeName: z.string(),
  status: z.enum(QUEUE_TICKET_STATUSES),
  isVip: z.boolean(),
  customerId: z.string().nullable(),
  takenAt: z.string(),
  calledAt: z.string().nullable(),
  counterId: z.string().nullable(),
  sessionId: z.string().nullable(),
  skipCount: z.number(),
  callCount: z.number(),
  /** Seconds from the take to the first call. */
  waitSeconds: z.number().nullable(),
});
export type TQueueTicket = z.infer<typeof ZQueueTicket>;

export const ZCounterQueue = z.object({
  counterId: z.string(),
  /** Types this counter serves, with the people waiting in each. */
  types: z.array(z.object({ id: z.string(), name: z.string(), prefix: z.string(), waiting: z.number() })),
  /** Other active types of the outlet (transfer targets), and its counters. */
  transferTypes: z.array(z.object({ id: z.string(), name: z.string() })),
  transferCounters: z.array(z.object({ id: z.string(), name: z.string() })),
  /** The ticket called to this counter whose service is still open. */
  current: ZQueueTicket.nullable(),
});
export type TCounterQueue = z.infer<typeof ZCounterQueue>;

export const ZTransferInput = z
  .object({ typeId: ZId.optional(), counterId: ZId.optional() })
  .refine((v) => (v.typeId ? 1 : 0) + (v.counterId ? 1 : 0) === 1, {
    message: 'either typeId or counterId',
    path: ['typeId'],
  });
export type TTransferInput = z.infer<typeof ZTransferInput>;

// ---- hall display 叫号屏 and notices 宣传信息 -------------------------------------------------------------------------

/** An image notice is a data URL (PNG/JPEG/WebP/GIF) of at most ~300 KB. */
export const ZQueueNotice = z
  .object({
    text: z.string().trim().max(200).nullable().default(null),
    image: z
      .string()
      .max(400_000)
      .regex(/^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=]+$/, 'PNG/JPEG/WebP/GIF data URL')
      .nullable()
      .default(null),
  })
  .refine((n) => n.text || n.image, { message: 'text or image', path: ['text'] });
export type TQueueNotice = z.infer<typeof ZQueueNotice>;
export const ZQueueNoticesInput = z.object({ notices: z.array(ZQueueNotice).max(10) });
export type TQueueNoticesInput = z.infer<typeof ZQueueNoticesInput>;

export const ZDisplayCodeInput = z.object({ deviceName: z.string().trim().min(1).max(40) });
export const ZDisplayCode = z.object({ code: z.string(), expiresAt: z.string(), outletId: z.string() });
export type TDisplayCode = z.infer<typeof ZDisplayCode>;
/** A paired hall display of an outlet, as its manager sees it (the token is never shown again). */
export const ZQueueDisplay = z.object({
  id: z.string(),
  outletId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TQueueDisplay = z.infer<typeof ZQueueDisplay>;
export const ZQueueDisplayList = z.object({ items: z.array(ZQueueDisplay) });

export const ZDisplayPairResult = z.object({ token: z.string(), displayId: z.string(), outletName: z.string() });

export const ZQueueCall = z.object({
  /** The event id of the call (a recall is a new one): the display speaks each once. */
  eventId: z.number(),
  number: z.string(),
  counterName: z.string(),
  at: z.string(),
});
export type TQueueCall = z.infer<typeof ZQueueCall>;
export const ZDisplayState = z.object({
  outletName: z.string(),
  /** The number at each counter now (called, service not ended). */
  current: z.array(ZQueueCall),
  /** The last calls today, newest first. */
  recent: z.array(ZQueueCall),
  notices: z.array(ZQueueNotice),
  serverTime: z.string(),
});
export type TDisplayState = z.infer<typeof ZDisplayState>;

// ---- figures 排队统计 ---------------------------------------------------------------------------------------------

export const QUEUE_FIGURE_GROUPS = ['outlet', 'type', 'counter', 'hour'] as const;
export const ZQueueFiguresQuery = z.object({
  groupBy: z.enum(QUEUE_FIGURE_GROUPS).default('outlet'),
  unitId: ZId.optional(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export type TQueueFiguresQuery = z.infer<typeof ZQueueFiguresQuery>;
export const ZQueueFigures = z.object({
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      taken: z.number(),
      served: z.number(),
      /** No-shows, and tickets never called by the end of their day. */
      abandoned: z.number(),
      avgWaitSeconds: z.number().nullable(),
      p90WaitSeconds: z.number().nullable(),
      avgHandlingSeconds: z.number().nullable(),
      p90HandlingSeconds: z.number().nullable(),
    }),
  ),
  /** Tickets taken per ISO weekday (1 = Monday) and local hour, with their mean wait. */
  heatmap: z.array(
    z.object({ weekday: z.number(), hour: z.number(), taken: z.number(), avgWaitSeconds: z.number().nullable() }),
  ),
  /** Kiosk ratings of the visits by how long the customer waited (excluded ratings left out). */
  waitBands: z.array(
    z.object({
      band: z.string(),
      rated: z.number(),
      avgScore: z.number().nullable(),
      satisfaction: z.number().nullable(),
    }),
  ),
});
export type TQueueFigures = z.infer<typeof ZQueueFigures>;

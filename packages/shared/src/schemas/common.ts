import { z } from 'zod';

export const ZId = z.uuid();
export const ZIdParams = z.object({ id: ZId });
export type TIdParams = z.infer<typeof ZIdParams>;
export const ZOk = z.object({ ok: z.literal(true) });
/** ISO-8601 timestamp as sent over the wire. */
export const ZTimestamp = z.string();

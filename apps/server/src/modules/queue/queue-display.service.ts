import { sql } from 'drizzle-orm';
import type { TDisplayCode, TDisplayState, TQueueCall, TQueueDisplay, TQueueNotice } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { tenantTimeZone } from '../../lib/time.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { announce } from '../kiosk/kiosk-hub.ts';
import { newDeviceToken, newPairingCode, normalizeCode, sha256 } from '../kiosk/kiosk-devices.ts';
import { localDayTime } from './queue-rules.ts';

type TDeps = { db: Db; clock: TClock };
const CODE_MINUTES = 10;
const RECENT_CALLS = 6;

export const DISPLAY_COOKIE = 'hf_qdisplay';

/** A paired hall display: the outlet it shows. */
export interface TDisplayCtx {
  id: string;
  tenantId: string;
  outletId: string;
  outletName: string;
}

/** 生成配对码 for a hall display of an outlet (single use, 10 minutes; the pattern of the kiosk's). */
export async function createDisplayCode(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  outletId: string,
  deviceName: string,
): Promise<TDisplayCode> {
  const res = await deps.db.execute<{ id: string; name: string }>(sql`
    select o.id, o.name from org_units o
    where o.tenant_id = ${scope.tenantId} and o.id = ${outletId} and o.type = 'outlet' and o.is_active and ${unitVisible(scope, sql`o.id`)}`);
  const outlet = res.rows[0];
  if (!outlet) throw notFound('outlet');
  const now = deps.clock.now();
  const code = newPairingCode();
  const expiresAt = new Date(now.getTime() + CODE_MINUTES * 60_000);
  await deps.db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into queue_display_codes (tenant_id, outlet_id, code_hash, device_name, expires_at, created_by, created_at)
      values (${scope.tenantId}, ${outlet.id}, ${sha256(code)}, ${deviceName}, ${expiresAt}, ${scope.userId}, ${now})`);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'queue.display_code_created',
        entityType: 'org_unit',
        entityId: outlet.id,
        unitId: outlet.id,
        summary: `生成叫号屏配对码：${outlet.name}（${deviceName}）`,
      },
      now,
    );
  });
  return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt: expiresAt.toISOString(), outletId: outlet.id };
}

/** 配对: exchange a code for a display token (only its SHA-256 is stored). */
export async function pairDisplay(deps: TDeps, rawCode: string, meta: { ip: string; requestId: string }) {
  const now = deps.clock.now();
  const token = newDeviceToken();
  return deps.db.transaction(async (tx) => {
    const used = await tx.execute<{
      tenant_id: string;
      outlet_id: string;
      device_name: string;
      created_by: string | null;
    }>(sql`
      update queue_display_codes set used_at = ${now}
      where code_hash = ${sha256(normalizeCode(rawCode))} and used_at is null and expires_at > ${now}
      returning tenant_id, outlet_id, device_name, created_by`);
    const pc = used.rows[0];
    if (!pc) throw new AppError('PAIRING_CODE_INVALID', 'wrong, used or expired pairing code');
    const res = await tx.execute<{ id: string; outlet_name: string }>(sql`
      insert into queue_displays (tenant_id, outlet_id, name, token_hash, created_by, created_at)
      values (${pc.tenant_id}, ${pc.outlet_id}, ${pc.device_name}, ${sha256(token)}, ${pc.created_by}, ${now})
      returning id, (select name from org_units where id = ${pc.outlet_id}) as outlet_name`);
    const d = res.rows[0]!;
    await insertAuditEvent(
      tx,
      {
        tenantId: pc.tenant_id,
        actorId: null,
        actorName: `display ${pc.device_name}`,
        ip: meta.ip,
        requestId: meta.requestId,
      },
      {
        action: 'queue.display_paired',
        entityType: 'queue_display',
        entityId: d.id,
        unitId: pc.outlet_id,
        summary: `叫号屏已配对：${d.outlet_name}（${pc.device_name}）`,
      },
      now,
    );
    return { token, displayId: d.id, outletName: d.outlet_name };
  });
}

type TDisplayRow = {
  id: string;
  outlet_id: string;
  name: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
};
const toDisplay = (r: TDisplayRow): TQueueDisplay => ({
  id: r.id,
  outletId: r.outlet_id,
  name: r.name,
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

/** The hall displays paired to an outlet in the caller's scope: active first, newest first. */
export async function listDisplays(db: DbOrTx, scope: TScope, outletId: string): Promise<TQueueDisplay[]> {
  const outlet = await db.execute(sql`
    select 1 from org_units o
    where o.tenant_id = ${scope.tenantId} and o.id = ${outletId} and o.type = 'outlet' and ${unitVisible(scope, sql`o.id`)}`);
  if (!outlet.rows[0]) throw notFound('outlet');
  const res = await db.execute<TDisplayRow>(sql`
    select id, outlet_id, name, created_at, revoked_at from queue_displays
    where tenant_id = ${scope.tenantId} and outlet_id = ${outletId}
    order by revoked_at is not null, created_at desc limit 200`);
  return res.rows.map(toDisplay);
}

/**
 * 撤销 a hall display (lost, stolen, moved): its token stops working at once — the next page load or SSE push gets 401
 * and the screen goes back to pairing. Idempotent; audited; out of scope → 404.
 */
export async function revokeDisplay(deps: TDeps, scope: TScope, ctx: TAuditCtx, id: string): Promise<TQueueDisplay> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const res = await tx.execute<TDisplayRow & { outlet_name: string }>(sql`
      select d.id, d.outlet_id, d.name, d.created_at, d.revoked_at, o.name as outlet_name
      from queue_displays d join org_units o on o.id = d.outlet_id
      where d.tenant_id = ${scope.tenantId} and d.id = ${id} and ${unitVisible(scope, sql`d.outlet_id`)}
      for update of d`);
    const d = res.rows[0];
    if (!d) throw notFound('display');
    if (d.revoked_at) return toDisplay(d);
    await tx.execute(
      sql`update queue_displays set revoked_at = ${now} where tenant_id = ${scope.tenantId} and id = ${id}`,
    );
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'queue.display_revoked',
        entityType: 'queue_display',
        entityId: id,
        unitId: d.outlet_id,
        summary: `撤销叫号屏：${d.outlet_name}（${d.name}）`,
      },
      now,
    );
    // Open display streams of the outlet re-check their token at once: the revoked one gets `gone` and unpairs.
    await announce(tx, { k: 'queue', t: scope.tenantId, o: d.outlet_id });
    return toDisplay({ ...d, revoked_at: now });
  });
}

export async function findDisplay(db: DbOrTx, tokenHash: string | null): Promise<TDisplayCtx> {
  const res = tokenHash
    ? await db.execute<{ id: string; tenant_id: string; outlet_id: string; outlet_name: string }>(sql`
        select d.id, d.tenant_id, d.outlet_id, o.name as outlet_name from queue_displays d join org_units o on o.id = d.outlet_id
        where d.token_hash = ${tokenHash} and d.revoked_at is null and o.is_active`)
    : null;
  const r = res?.rows[0];
  if (!r) throw new AppError('UNAUTHENTICATED', 'unknown or revoked display token');
  return { id: r.id, tenantId: r.tenant_id, outletId: r.outlet_id, outletName: r.outlet_name };
}

/** What the hall display shows: the number at each counter, the last calls today, the notices. */
export async function readDisplayState(deps: TDeps, d: TDisplayCtx): Promise<TDisplayState> {
  const now = deps.clock.now();
  const { day } = localDayTime(now, await tenantTimeZone(deps.db, d.tenantId));
  type TRow = { event_id: string | number; number: string; counter_name: string; at: Date | string };
  const toCall = (r: TRow): TQueueCall => ({
    eventId: Number(r.event_id),
    number: r.number,
    counterName: r.counter_name,
    at: new Date(r.at).toISOString(),
  });
  const [recent, current, notices] = await Promise.all([
    deps.db.execute<TRow>(sql`
      select e.id as event_id, q.number, c.name as counter_name, e.at
      from queue_tickets q join queue_ticket_events e on e.ticket_id = q.id join org_units c on c.id = e.counter_id
      where q.tenant_id = ${d.tenantId} and q.outlet_id = ${d.outletId} and q.day = ${day}::date and e.kind in ('called', 'recalled')
      order by e.id desc limit ${RECENT_CALLS}`),
    // Per counter, the ticket called there whose service is still open, with its latest call.
    deps.db.execute<TRow>(sql`
      select distinct on (q.counter_id) e.id as event_id, q.number, c.name as counter_name, e.at
      from queue_tickets q join queue_ticket_events e on e.ticket_id = q.id and e.counter_id = q.counter_id and e.kind in ('called', 'recalled')
      join org_units c on c.id = q.counter_id
      where q.tenant_id = ${d.tenantId} and q.outlet_id = ${d.outletId} and q.day = ${day}::date and q.status = 'called'
        and exists (select 1 from service_sessions s where s.tenant_id = q.tenant_id and s.id = q.session_id and s.ended_at is null)
      order by q.counter_id, e.id desc`),
    deps.db.execute<{ notices: TQueueNotice[] }>(sql`
      select notices from queue_settings where tenant_id = ${d.tenantId} and outlet_id = ${d.outletId}`),
  ]);
  return {
    outletName: d.outletName,
    current: current.rows.map(toCall).sort((a, b) => a.counterName.localeCompare(b.counterName, 'zh-CN')),
    recent: recent.rows.map(toCall),
    notices: notices.rows[0]?.notices ?? [],
    serverTime: now.toISOString(),
  };
}

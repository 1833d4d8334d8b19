import { and, eq, sql } from 'drizzle-orm';
import {
  defaultKioskSettings,
  type TKioskDevice,
  type TKioskSettings,
  type TKioskSettingsInput,
  type TKioskUnits,
  type TPairingCode,
  type TPairResult,
} from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { kioskDevices, kioskPairingCodes, kioskSettings } from '../../db/schema/index.ts';
import { AppError, invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { announce } from './kiosk-hub.ts';
import { newDeviceToken, newPairingCode, normalizeCode, sha256 } from './kiosk-devices.ts';

type TDeps = { db: Db; clock: TClock };
export const PAIRING_CODE_MINUTES = 10;

/** A unit of the given type visible to the caller, with the outlet above it (for counters). */
async function findVisibleUnit(db: DbOrTx, scope: TScope, id: string, type: 'counter' | 'outlet') {
  const res = await db.execute<{ id: string; name: string; outlet_id: string | null; outlet_name: string | null }>(sql`
    select u.id, u.name, o.id as outlet_id, o.name as outlet_name
    from org_units u
    left join lateral (select p.id, p.name from org_units p where p.tenant_id = u.tenant_id and p.type = 'outlet' and u.path like p.path || '%'
                       order by p.depth desc limit 1) o on true
    where u.tenant_id = ${scope.tenantId} and u.id = ${id} and u.type = ${type} and u.is_active and ${unitVisible(scope, sql`u.id`)}`);
  return res.rows[0] ?? null;
}

export async function createPairingCode(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: { counterId: string; deviceName: string },
): Promise<TPairingCode> {
  const counter = await findVisibleUnit(deps.db, scope, input.counterId, 'counter');
  if (!counter) throw unknownRef('body.counterId', 'counter');
  if (!counter.outlet_id) throw invalidField('body.counterId', 'the counter is not under an outlet');
  const now = deps.clock.now();
  const code = newPairingCode();
  const expiresAt = new Date(now.getTime() + PAIRING_CODE_MINUTES * 60_000);
  await deps.db.transaction(async (tx) => {
    await tx.insert(kioskPairingCodes).values({
      tenantId: scope.tenantId,
      counterId: counter.id,
      codeHash: sha256(code),
      deviceName: input.deviceName,
      expiresAt,
      createdBy: scope.userId,
      createdAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'kiosk.pairing_code_created',
        entityType: 'org_unit',
        entityId: counter.id,
        unitId: counter.id,
        summary: `生成评价器配对码：${counter.outlet_name ?? ''} ${counter.name}（${input.deviceName}）`,
      },
      now,
    );
  });
  return {
    code,
    expiresAt: expiresAt.toISOString(),
    counterId: counter.id,
    activeDevices: await activeDevicesOf(deps.db, scope, counter.id),
  };
}

/** The kiosk enters the code once: it is used up, and a device with a fresh 256-bit token is created. */
export async function pairDevice(
  deps: TDeps,
  rawCode: string,
  meta: { ip: string; requestId: string },
): Promise<TPairResult> {
  const now = deps.clock.now();
  const token = newDeviceToken();
  return deps.db.transaction(async (tx) => {
    const [pc] = await tx
      .update(kioskPairingCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(kioskPairingCodes.codeHash, sha256(normalizeCode(rawCode))),
          sql`${kioskPairingCodes.usedAt} is null`,
          sql`${kioskPairingCodes.expiresAt} > ${now}`,
        ),
      )
      .returning();
    if (!pc) throw new AppError('PAIRING_CODE_INVALID', 'wrong, used or expired pairing code');
    const res = await tx.execute<{ id: string; name: string; outlet_id: string; outlet_name: string }>(sql`
      select c.id, c.name, o.id as outlet_id, o.name as outlet_name from org_units c
      join org_units o on o.tenant_id = c.tenant_id and o.type = 'outlet' and c.path like o.path || '%'
      where c.id = ${pc.counterId} and c.is_active order by o.depth desc limit 1`);
    const c = res.rows[0];
    if (!c) throw new AppError('PAIRING_CODE_INVALID', 'the counter is gone');
    const [device] = await tx
      .insert(kioskDevices)
      .values({
        tenantId: pc.tenantId,
        counterId: c.id,
        outletId: c.outlet_id,
        name: pc.deviceName,
        tokenHash: sha256(token),
        createdBy: pc.createdBy,
        createdAt: now,
        lastSeenAt: now,
      })
      .returning({ id: kioskDevices.id });
    await insertAuditEvent(
      tx,
      {
        tenantId: pc.tenantId,
        actorId: null,
        actorName: `kiosk ${pc.deviceName}`,
        ip: meta.ip,
        requestId: meta.requestId,
      },
      {
        action: 'kiosk.paired',
        entityType: 'kiosk_device',
        entityId: device!.id,
        unitId: c.id,
        summary: `评价器已配对：${c.outlet_name} ${c.name}`,
      },
      now,
    );
    const others = await tx.execute<{ n: number }>(
      sql`select count(*)::int as n from kiosk_devices where tenant_id = ${pc.tenantId} and counter_id = ${c.id} and revoked_at is null and id <> ${device!.id}`,
    );
    return {
      deviceId: device!.id,
      token,
      counterName: c.name,
      outletName: c.outlet_name,
      otherActiveDevices: others.rows[0]?.n ?? 0,
    };
  });
}

const deviceSelect = sql`
  select d.id, d.name, d.counter_id, c.name as counter_name, d.outlet_id, o.name as outlet_name, d.created_at, d.last_seen_at, d.revoked_at
  from kiosk_devices d join org_units c on c.id = d.counter_id join org_units o on o.id = d.outlet_id`;
type TDeviceRow = {
  id: string;
  name: string;
  counter_id: string;
  counter_name: string;
  outlet_id: string;
  outlet_name: string;
  created_at: Date | string;
  last_seen_at: Date | string | null;
  revoked_at: Date | string | null;
};
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const toDevice = (r: TDeviceRow): TKioskDevice => ({
  id: r.id,
  name: r.name,
  counterId: r.counter_id,
  counterName: r.counter_name,
  outletId: r.outlet_id,
  outletName: r.outlet_name,
  createdAt: new Date(r.created_at).toISOString(),
  lastSeenAt: iso(r.last_seen_at),
  revokedAt: iso(r.revoked_at),
});

export async function listDevices(db: DbOrTx, scope: TScope): Promise<TKioskDevice[]> {
  const res =
    await db.execute<TDeviceRow>(sql`${deviceSelect} where d.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`d.counter_id`)}
    order by d.revoked_at is not null, o.name, c.name, d.created_at desc limit 500`);
  return res.rows.map(toDevice);
}

/** The devices still active (not revoked) on a counter, newest first. */
export async function activeDevicesOf(db: DbOrTx, scope: TScope, counterId: string): Promise<TKioskDevice[]> {
  const res =
    await db.execute<TDeviceRow>(sql`${deviceSelect} where d.tenant_id = ${scope.tenantId} and d.counter_id = ${counterId} and d.revoked_at is null and ${unitVisible(scope, sql`d.counter_id`)}
    order by d.created_at desc`);
  return res.rows.map(toDevice);
}

export async function findDevice(db: DbOrTx, scope: TScope, id: string): Promise<TKioskDevice | null> {
  const res = await db.execute<TDeviceRow>(
    sql`${deviceSelect} where d.tenant_id = ${scope.tenantId} and d.id = ${id} and ${unitVisible(scope, sql`d.counter_id`)}`,
  );
  return res.rows[0] ? toDevice(res.rows[0]) : null;
}

export async function revokeDevice(deps: TDeps, scope: TScope, ctx: TAuditCtx, id: string): Promise<TKioskDevice> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const d = await findDevice(tx, scope, id);
    if (!d) throw notFound('device');
    if (d.revokedAt) return;
    await tx
      .update(kioskDevices)
      .set({ revokedAt: now, revokedBy: scope.userId })
      .where(and(eq(kioskDevices.tenantId, scope.tenantId), eq(kioskDevices.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'kiosk.revoked',
        entityType: 'kiosk_device',
        entityId: id,
        unitId: d.counterId,
        summary: `吊销评价器：${d.outletName} ${d.counterName}（${d.name}）`,
      },
      now,
    );
    await announce(tx, { k: 'devices', t: scope.tenantId });
    await announce(tx, { k: 'counter', t: scope.tenantId, c: d.counterId });
  });
  const after = await findDevice(deps.db, scope, id);
  if (!after) throw notFound('device');
  return after;
}

export async function getSettings(db: DbOrTx, scope: TScope, outletId: string): Promise<TKioskSettings> {
  if (!(await findVisibleUnit(db, scope, outletId, 'outlet'))) throw notFound('outlet');
  const [row] = await db
    .select()
    .from(kioskSettings)
    .where(and(eq(kioskSettings.tenantId, scope.tenantId), eq(kioskSettings.outletId, outletId)));
  return row
    ? { outletId, keys: row.keys, timeoutSeconds: row.timeoutSeconds, isDefault: false }
    : defaultKioskSettings(outletId);
}

export async function putSettings(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  outletId: string,
  input: TKioskSettingsInput,
): Promise<TKioskSettings> {
  const outlet = await findVisibleUnit(deps.db, scope, outletId, 'outlet');
  if (!outlet) throw notFound('outlet');
  const labels = input.keys.map((k) => k.label);
  const dup = labels.findIndex((l, i) => labels.indexOf(l) !== i);
  if (dup >= 0) throw invalidField(`body.keys.${dup}.label`, 'labels must differ');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const before = await getSettings(tx, scope, outletId);
    await tx
      .insert(kioskSettings)
      .values({
        tenantId: scope.tenantId,
        outletId,
        keys: input.keys,
        timeoutSeconds: input.timeoutSeconds,
        updatedBy: scope.userId,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [kioskSettings.tenantId, kioskSettings.outletId],
        set: { keys: input.keys, timeoutSeconds: input.timeoutSeconds, updatedBy: scope.userId, updatedAt: now },
      });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'kiosk.settings_changed',
        entityType: 'org_unit',
        entityId: outletId,
        unitId: outletId,
        summary: `评价器按键设置：${outlet.name}`,
        before: { keys: before.keys, timeoutSeconds: before.timeoutSeconds },
        after: input,
      },
      now,
    );
    await announce(tx, { k: 'devices', t: scope.tenantId });
  });
  return { outletId, keys: input.keys, timeoutSeconds: input.timeoutSeconds, isDefault: false };
}

/** Outlets and their counters visible to the caller. */
export async function listKioskUnits(db: DbOrTx, scope: TScope): Promise<TKioskUnits> {
  const res = await db.execute<{
    outlet_id: string;
    outlet_name: string;
    counter_id: string | null;
    counter_name: string | null;
  }>(sql`
    select o.id as outlet_id, o.name as outlet_name, c.id as counter_id, c.name as counter_name
    from org_units o left join org_units c on c.tenant_id = o.tenant_id and c.type = 'counter' and c.is_active and c.path like o.path || '%'
    where o.tenant_id = ${scope.tenantId} and o.type = 'outlet' and o.is_active
      and (${unitVisible(scope, sql`o.id`)} or ${unitVisible(scope, sql`c.id`)})
    order by o.path, c.sort_order, c.name`);
  const outlets = new Map<string, TKioskUnits['outlets'][number]>();
  for (const r of res.rows) {
    const o = outlets.get(r.outlet_id) ?? { id: r.outlet_id, name: r.outlet_name, counters: [] };
    outlets.set(r.outlet_id, o);
    if (r.counter_id && r.counter_name) o.counters.push({ id: r.counter_id, name: r.counter_name });
  }
  return { outlets: [...outlets.values()] };
}

/** Written at most once a minute per device (on the kiosk's event stream), never on the rating hot path. */
export async function touchDevice(db: DbOrTx, deviceId: string, now: Date): Promise<void> {
  await db.execute(
    sql`update kiosk_devices set last_seen_at = ${now} where id = ${deviceId} and (last_seen_at is null or last_seen_at < ${now}::timestamptz - interval '1 minute')`,
  );
}

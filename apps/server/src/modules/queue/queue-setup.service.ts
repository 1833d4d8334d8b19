import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { TQueueNotice, TQueueNoticesInput, TQueueOutlets, TQueueSetup, TQueueSetupInput } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { invalidField, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { pgArray, unitVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { announce } from '../kiosk/kiosk-hub.ts';
import { DEFAULT_MAX_VIP_IN_ROW } from './queue-rules.ts';

type TDeps = { db: Db; clock: TClock };

/** Outlets 网点 the caller may see, and whether their queue is set up. */
export async function listQueueOutlets(db: DbOrTx, scope: TScope): Promise<TQueueOutlets> {
  const res = await db.execute<{ id: string; name: string; is_set_up: boolean }>(sql`
    select o.id, o.name, exists (select 1 from queue_settings qs where qs.tenant_id = o.tenant_id and qs.outlet_id = o.id) as is_set_up
    from org_units o
    where o.tenant_id = ${scope.tenantId} and o.type = 'outlet' and o.is_active and ${unitVisible(scope, sql`o.id`)}
    order by o.path`);
  return { items: res.rows.map((r) => ({ id: r.id, name: r.name, isSetUp: r.is_set_up })) };
}

async function findVisibleOutlet(db: DbOrTx, scope: TScope, outletId: string) {
  const res = await db.execute<{ id: string; name: string; path: string }>(sql`
    select o.id, o.name, o.path from org_units o
    where o.tenant_id = ${scope.tenantId} and o.id = ${outletId} and o.type = 'outlet' and o.is_active and ${unitVisible(scope, sql`o.id`)}`);
  return res.rows[0] ?? null;
}

/** Active counters 窗口 under an outlet. */
export async function outletCounters(db: DbOrTx, tenantId: string, outletPath: string) {
  const res = await db.execute<{ id: string; name: string }>(sql`
    select c.id, c.name from org_units c
    where c.tenant_id = ${tenantId} and c.type = 'counter' and c.is_active and c.path like ${outletPath + '%'}
    order by c.sort_order, c.path`);
  return res.rows;
}

export async function getQueueSetup(db: DbOrTx, scope: TScope, outletId: string): Promise<TQueueSetup> {
  const outlet = await findVisibleOutlet(db, scope, outletId);
  if (!outlet) throw notFound('outlet');
  const [settings, types, counters] = await Promise.all([
    db.execute<{
      opens_at: string;
      closes_at: string;
      vip_tiers: string[];
      max_vip_in_row: number;
      link_token: string;
      notices: TQueueNotice[];
      alert_queue_length: number | null;
      alert_wait_minutes: number | null;
    }>(sql`
      select opens_at, closes_at, vip_tiers, max_vip_in_row, link_token, notices, alert_queue_length, alert_wait_minutes from queue_settings
      where tenant_id = ${scope.tenantId} and outlet_id = ${outlet.id}`),
    db.execute<{
      id: string;
      name: string;
      prefix: string;
      sort_order: number;
      is_active: boolean;
      counter_ids: string[];
    }>(sql`
      select t.id, t.name, t.prefix, t.sort_order, t.is_active,
             coalesce((select array_agg(ct.counter_id::text order by ct.counter_id) from queue_counter_types ct where ct.type_id = t.id), '{}') as counter_ids
      from queue_business_types t where t.tenant_id = ${scope.tenantId} and t.outlet_id = ${outlet.id}
      order by t.is_active desc, t.sort_order, t.prefix`),
    outletCounters(db, scope.tenantId, outlet.path),
  ]);
  const s = settings.rows[0];
  return {
    outletId: outlet.id,
    outletName: outlet.name,
    opensAt: s?.opens_at ?? null,
    closesAt: s?.closes_at ?? null,
    vipTiers: s?.vip_tiers ?? [],
    maxVipInRow: s?.max_vip_in_row ?? DEFAULT_MAX_VIP_IN_ROW,
    alertQueueLength: s?.alert_queue_length ?? null,
    alertWaitMinutes: s?.alert_wait_minutes ?? null,
    linkToken: s?.link_token ?? null,
    types: types.rows.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      sortOrder: t.sort_order,
      isActive: t.is_active,
      counterIds: t.counter_ids,
    })),
    counters,
    notices: s?.notices ?? [],
  };
}

/**
 * Save an outlet's queue set-up in one go: hours, priority rule, the business types (listed ones are kept in the
 * order given; existing ones left out are deactivated, never deleted — tickets refer to them) and which counters
 * serve each type. The first save creates the outlet's take-a-number link.
 */
export async function putQueueSetup(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  outletId: string,
  input: TQueueSetupInput,
): Promise<TQueueSetup> {
  const outlet = await findVisibleOutlet(deps.db, scope, outletId);
  if (!outlet) throw notFound('outlet');
  const counterIds = new Set((await outletCounters(deps.db, scope.tenantId, outlet.path)).map((c) => c.id));
  input.types.forEach((t, i) =>
    t.counterIds.forEach((c, j) => {
      if (!counterIds.has(c)) throw unknownRef(`body.types.${i}.counterIds.${j}`, 'counter of this outlet');
    }),
  );
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // One set-up save per outlet at a time.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`queue-setup:${outlet.id}`}, 0))`);
    const existing = await tx.execute<{ id: string; prefix: string }>(sql`
      select id, prefix from queue_business_types where tenant_id = ${scope.tenantId} and outlet_id = ${outlet.id}`);
    const byId = new Map(existing.rows.map((r) => [r.id, r]));
    const listed = new Set(input.types.flatMap((t) => (t.id ? [t.id] : [])));
    input.types.forEach((t, i) => {
      if (t.id && !byId.has(t.id)) throw unknownRef(`body.types.${i}.id`, 'business type of this outlet');
      // A prefix stays with its type for good (numbers already given carry it).
      const holder = existing.rows.find((r) => r.prefix === t.prefix && r.id !== t.id && !listed.has(r.id));
      if (holder) throw invalidField(`body.types.${i}.prefix`, 'prefix used by an earlier business type');
    });
    // Prefixes may be swapped between listed types: park them first so the unique index never sees a clash.
    if (listed.size)
      await tx.execute(sql`
        update queue_business_types set prefix = '~' || id::text
        where tenant_id = ${scope.tenantId} and id = any(${pgArray([...listed], 'uuid')})`);
    await tx.execute(sql`
      update queue_business_types set is_active = false
      where tenant_id = ${scope.tenantId} and outlet_id = ${outlet.id} and not (id = any(${pgArray([...listed], 'uuid')}))`);
    for (const [i, t] of input.types.entries()) {
      let id = t.id;
      if (id) {
        await tx.execute(sql`
          update queue_business_types set name = ${t.name}, prefix = ${t.prefix}, sort_order = ${i}, is_active = ${t.isActive}
          where tenant_id = ${scope.tenantId} and id = ${id}`);
      } else {
        const res = await tx.execute<{ id: string }>(sql`
          insert into queue_business_types (tenant_id, outlet_id, name, prefix, sort_order, is_active, created_at)
          values (${scope.tenantId}, ${outlet.id}, ${t.name}, ${t.prefix}, ${i}, ${t.isActive}, ${now}) returning id`);
        id = res.rows[0]!.id;
      }
      await tx.execute(sql`delete from queue_counter_types where type_id = ${id}`);
      if (t.counterIds.length)
        await tx.execute(sql`
          insert into queue_counter_types (tenant_id, counter_id, type_id)
          select ${scope.tenantId}, c, ${id} from unnest(${pgArray([...new Set(t.counterIds)], 'uuid')}) c`);
    }
    await tx.execute(sql`
      insert into queue_settings (tenant_id, outlet_id, opens_at, closes_at, link_token, vip_tiers, max_vip_in_row,
                                  alert_queue_length, alert_wait_minutes, updated_by, updated_at)
      values (${scope.tenantId}, ${outlet.id}, ${input.opensAt}, ${input.closesAt}, ${crypto.randomBytes(18).toString('base64url')},
              ${pgArray(input.vipTiers, 'text')}, ${input.maxVipInRow}, ${input.alertQueueLength}, ${input.alertWaitMinutes},
              ${scope.userId}, ${now})
      on conflict (tenant_id, outlet_id) do update set opens_at = excluded.opens_at, closes_at = excluded.closes_at,
        vip_tiers = excluded.vip_tiers, max_vip_in_row = excluded.max_vip_in_row,
        alert_queue_length = excluded.alert_queue_length, alert_wait_minutes = excluded.alert_wait_minutes, updated_by = excluded.updated_by,
        updated_at = excluded.updated_at`);
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'queue.setup_updated',
        entityType: 'org_unit',
        entityId: outlet.id,
        unitId: outlet.id,
        summary: `修改排队叫号设置：${outlet.name}`,
        after: input,
      },
      now,
    );
  });
  return getQueueSetup(deps.db, scope, outlet.id);
}

/** 宣传信息: the notices the outlet's hall displays show between calls (after the queue is set up). */
export async function putQueueNotices(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  outletId: string,
  input: TQueueNoticesInput,
): Promise<TQueueSetup> {
  const outlet = await findVisibleOutlet(deps.db, scope, outletId);
  if (!outlet) throw notFound('outlet');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const res = await tx.execute(sql`
      update queue_settings set notices = ${JSON.stringify(input.notices)}::jsonb, updated_by = ${scope.userId}, updated_at = ${now}
      where tenant_id = ${scope.tenantId} and outlet_id = ${outlet.id} returning outlet_id`);
    if (!res.rows[0]) throw notFound('queue set-up of this outlet');
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'queue.notices_updated',
        entityType: 'org_unit',
        entityId: outlet.id,
        unitId: outlet.id,
        summary: `修改叫号屏宣传信息：${outlet.name}（${input.notices.length} 条）`,
        after: { notices: input.notices.map((n) => ({ text: n.text, hasImage: n.image !== null })) },
      },
      now,
    );
    await announce(tx, { k: 'queue', t: scope.tenantId, o: outlet.id });
  });
  return getQueueSetup(deps.db, scope, outlet.id);
}

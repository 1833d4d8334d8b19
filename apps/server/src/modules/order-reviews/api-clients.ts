import crypto from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { TApiClient } from '@huifang/shared';
import type { Db } from '../../db/client.ts';
import { apiClients } from '../../db/schema/index.ts';
import { AppError, notFound, unknownRef } from '../../lib/app-error.ts';
import type { TClock } from '../../lib/clock.ts';
import { unitVisible, type TAuditCtx, type TScope } from '../../lib/scope.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { sha256 } from './order-reviews.service.ts';

type TDeps = { db: Db; clock: TClock };

/** A shop's API client, as resolved from `Authorization: Bearer <key>`. */
export interface TApiCaller {
  id: string;
  tenantId: string;
  unitId: string;
  name: string;
}

const SELECT = sql`select a.id, a.unit_id, u.name as unit_name, a.name, a.key_prefix, a.created_at, a.revoked_at from api_clients a left join org_units u on u.id = a.unit_id`;
type TRow = {
  id: string;
  unit_id: string;
  unit_name: string | null;
  name: string;
  key_prefix: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
};
const toDto = (r: TRow): TApiClient => ({
  id: r.id,
  unitId: r.unit_id,
  unitName: r.unit_name,
  name: r.name,
  keyPrefix: r.key_prefix,
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
});

export async function listApiClients(deps: TDeps, scope: TScope): Promise<{ items: TApiClient[] }> {
  const res = await deps.db.execute<TRow>(
    sql`${SELECT} where a.tenant_id = ${scope.tenantId} and ${unitVisible(scope, sql`a.unit_id`)} order by a.created_at desc`,
  );
  return { items: res.rows.map(toDto) };
}

/** A new key for a shop unit in the caller's scope: 256 random bits, shown once, only its SHA-256 kept. */
export async function createApiClient(
  deps: TDeps,
  scope: TScope,
  ctx: TAuditCtx,
  input: { unitId: string; name: string },
): Promise<TApiClient & { key: string }> {
  const unit = await deps.db.execute(
    sql`select 1 from org_units ou where ou.tenant_id = ${scope.tenantId} and ou.id = ${input.unitId} and ou.is_active and ${unitVisible(scope, sql`ou.id`)}`,
  );
  if (!unit.rows[0]) throw unknownRef('body.unitId', 'unit');
  const key = `hfk_${crypto.randomBytes(32).toString('base64url')}`;
  const now = deps.clock.now();
  const id = crypto.randomUUID();
  await deps.db.transaction(async (tx) => {
    await tx.insert(apiClients).values({
      id,
      tenantId: scope.tenantId,
      unitId: input.unitId,
      name: input.name,
      keyPrefix: key.slice(0, 12),
      keyHash: sha256(key),
      createdBy: scope.userId,
      createdAt: now,
    });
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'api_client.created',
        entityType: 'api_client',
        entityId: id,
        unitId: input.unitId,
        summary: `创建开放接口密钥「${input.name}」`,
      },
      now,
    );
  });
  const res = await deps.db.execute<TRow>(sql`${SELECT} where a.tenant_id = ${scope.tenantId} and a.id = ${id}`);
  return { ...toDto(res.rows[0]!), key };
}

export async function revokeApiClient(deps: TDeps, scope: TScope, ctx: TAuditCtx, id: string): Promise<TApiClient> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const found = await tx.execute<TRow>(
      sql`${SELECT} where a.tenant_id = ${scope.tenantId} and a.id = ${id} and ${unitVisible(scope, sql`a.unit_id`)} for update of a`,
    );
    const row = found.rows[0];
    if (!row) throw notFound('API client');
    if (row.revoked_at !== null) throw new AppError('CONFLICT', 'already revoked');
    await tx
      .update(apiClients)
      .set({ revokedAt: now })
      .where(and(eq(apiClients.tenantId, scope.tenantId), eq(apiClients.id, id)));
    await insertAuditEvent(
      tx,
      ctx,
      {
        action: 'api_client.revoked',
        entityType: 'api_client',
        entityId: id,
        unitId: row.unit_id,
        summary: `停用开放接口密钥「${row.name}」`,
      },
      now,
    );
  });
  const res = await deps.db.execute<TRow>(sql`${SELECT} where a.tenant_id = ${scope.tenantId} and a.id = ${id}`);
  return toDto(res.rows[0]!);
}

/** `Authorization: Bearer <key>` → the active client, or 401. */
export async function authenticateApiClient(db: Db, req: FastifyRequest): Promise<TApiCaller> {
  const m = /^Bearer\s+(hfk_[A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '');
  if (!m) throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <API key>');
  const [row] = await db
    .select({ id: apiClients.id, tenantId: apiClients.tenantId, unitId: apiClients.unitId, name: apiClients.name })
    .from(apiClients)
    .where(and(eq(apiClients.keyHash, sha256(m[1]!)), isNull(apiClients.revokedAt)));
  if (!row) throw new AppError('UNAUTHENTICATED', 'unknown or revoked API key');
  return row;
}

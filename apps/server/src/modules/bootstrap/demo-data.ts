import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { TBuiltinRole, TUnitType } from '@huifang/shared';
import type { Db, DbOrTx } from '../../db/client.ts';
import { orgUnits, roles, userRoles, users } from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { insertAuditEvent } from '../audit/audit.repository.ts';
import { hashPassword } from '../auth/password.ts';
import { findRootUnit } from './bootstrap.service.ts';

/** Every demo login uses this password (listed in the README). */
export const DEMO_PASSWORD = 'Huifang2026';

interface TDemoUnit {
  code: string;
  name: string;
  type: TUnitType;
  children?: TDemoUnit[];
}

const counters = (prefix: string): TDemoUnit[] =>
  [1, 2].map((n) => ({ code: `${prefix}-W${n}`, name: `${n}号窗口`, type: 'counter' }));
const outlet = (code: string, name: string): TDemoUnit => ({ code, name, type: 'outlet', children: counters(code) });

/** 总行 > 2 分行 > 3 网点 each > 窗口. */
export const DEMO_TREE: TDemoUnit[] = [
  {
    code: 'SH',
    name: '上海分行',
    type: 'branch',
    children: [outlet('SH-LJZ', '陆家嘴支行'), outlet('SH-XJH', '徐家汇支行'), outlet('SH-ZJ', '张江支行')],
  },
  {
    code: 'HZ',
    name: '杭州分行',
    type: 'branch',
    children: [outlet('HZ-XH', '西湖支行'), outlet('HZ-BJ', '滨江支行'), outlet('HZ-QJ', '钱江新城支行')],
  },
];

interface TDemoUser {
  username: string;
  displayName: string;
  unitCode: string;
  role: TBuiltinRole;
  staffNo?: string;
  title?: string;
  businessHandled?: string[];
}

/** One login per built-in role (plus one manager per branch so their scopes can be compared), then tellers. */
export const DEMO_USERS: TDemoUser[] = [
  {
    username: 'zhao.auditor',
    displayName: '赵磊',
    unitCode: 'HQ',
    role: 'auditor',
    staffNo: 'A0001',
    title: '审计专员',
  },
  {
    username: 'zhang.manager',
    displayName: '张伟',
    unitCode: 'SH',
    role: 'manager',
    staffNo: 'M1001',
    title: '分行经理',
  },
  { username: 'li.manager', displayName: '李娜', unitCode: 'HZ', role: 'manager', staffNo: 'M2001', title: '分行经理' },
  {
    username: 'wang.supervisor',
    displayName: '王芳',
    unitCode: 'SH-LJZ',
    role: 'supervisor',
    staffNo: 'S1101',
    title: '网点主管',
  },
  { username: 'liu.agent', displayName: '刘洋', unitCode: 'SH', role: 'agent', staffNo: 'K1002', title: '回访专员' },
  {
    username: 'qian.supervision',
    displayName: '钱明',
    unitCode: 'HQ',
    role: 'supervision',
    staffNo: 'Q0001',
    title: '服务监督专员',
  },
  { username: 'kiosk.sh-ljz-w1', displayName: '陆家嘴1号窗口评价器', unitCode: 'SH-LJZ-W1', role: 'kiosk' },
];

const TELLER_NAMES = ['陈静', '杨帆', '黄敏', '周杰', '吴婷', '徐磊', '孙悦', '马超', '朱琳', '胡斌', '郭晶', '何勇'];
const BUSINESS = [
  ['个人存取款', '开户销户'],
  ['对公结算', '票据业务'],
  ['理财咨询', '信用卡'],
  ['外汇兑换', '个人贷款'],
];

export function demoTellers(): TDemoUser[] {
  const codes = DEMO_TREE.flatMap((b) => (b.children ?? []).flatMap((o) => (o.children ?? []).map((c) => c.code)));
  return codes.map((code, i) => ({
    username: i === 0 ? 'chen.teller' : `teller${String(i + 1).padStart(2, '0')}`,
    displayName: TELLER_NAMES[i % TELLER_NAMES.length]!,
    unitCode: code,
    role: 'teller',
    staffNo: `T${String(3001 + i)}`,
    title: '柜员',
    businessHandled: BUSINESS[i % BUSINESS.length]!,
  }));
}

async function insertTree(
  tx: DbOrTx,
  tenantId: string,
  parent: { id: string; path: string; depth: number },
  nodes: TDemoUnit[],
  now: Date,
  byCode: Map<string, string>,
) {
  for (const [i, n] of nodes.entries()) {
    const id = crypto.randomUUID();
    await tx.insert(orgUnits).values({
      id,
      tenantId,
      parentId: parent.id,
      type: n.type,
      name: n.name,
      code: n.code,
      path: `${parent.path}${id}/`,
      depth: parent.depth + 1,
      sortOrder: i,
      createdAt: now,
      updatedAt: now,
    });
    byCode.set(n.code, id);
    if (n.children)
      await insertTree(
        tx,
        tenantId,
        { id, path: `${parent.path}${id}/`, depth: parent.depth + 1 },
        n.children,
        now,
        byCode,
      );
  }
}

/**
 * Load the demo org tree and users once (skipped when the demo branch already exists). Later issues extend it.
 */
export async function loadDemoData(deps: { db: Db; clock: TClock }, tenantId: string): Promise<boolean> {
  const [already] = await deps.db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.code, 'SH')));
  if (already) return false;
  const now = deps.clock.now();
  const hash = await hashPassword(DEMO_PASSWORD);
  await deps.db.transaction(async (tx) => {
    const root = await findRootUnit(tx, tenantId);
    if (!root) throw new Error('tenant has no root unit');
    const byCode = new Map<string, string>([
      [root.code ?? 'HQ', root.id],
      ['HQ', root.id],
    ]);
    await insertTree(tx, tenantId, root, DEMO_TREE, now, byCode);
    const roleRows = await tx.select().from(roles).where(eq(roles.tenantId, tenantId));
    const roleId = (key: string) => roleRows.find((r) => r.key === key)!.id;
    for (const u of [...DEMO_USERS, ...demoTellers()]) {
      const [row] = await tx
        .insert(users)
        .values({
          tenantId,
          unitId: byCode.get(u.unitCode)!,
          username: u.username,
          displayName: u.displayName,
          passwordHash: hash,
          staffNo: u.staffNo ?? null,
          title: u.title ?? null,
          businessHandled: u.businessHandled ?? [],
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (row) await tx.insert(userRoles).values({ tenantId, userId: row.id, roleId: roleId(u.role) });
    }
    await insertAuditEvent(
      tx,
      { tenantId, actorId: null, actorName: 'system', ip: null, requestId: null },
      {
        action: 'tenant.bootstrapped',
        entityType: 'tenant',
        entityId: tenantId,
        unitId: root.id,
        summary: '载入演示数据',
      },
      now,
    );
  });
  return true;
}

import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  customers,
  orgUnits,
  serviceRecords,
  serviceTypes,
  transactions,
  userRoles,
  users,
  roles,
} from '../../db/schema/index.ts';
import type { TClock } from '../../lib/clock.ts';
import { phoneDigitsOf } from '../customers/customers.repository.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯健俊帆婷雪琳晨阳欣怡梓涵子轩浩然一诺思远嘉怡雨桐';
const MOBILE_PREFIXES = [
  '138',
  '139',
  '137',
  '136',
  '135',
  '150',
  '151',
  '152',
  '158',
  '159',
  '186',
  '187',
  '188',
  '130',
  '131',
  '132',
  '155',
  '156',
  '189',
  '180',
  '181',
  '177',
  '199',
];
const STREETS = {
  SH: ['浦东新区世纪大道', '徐汇区漕溪北路', '浦东新区张江路', '静安区南京西路', '黄浦区中山东一路'],
  HZ: ['西湖区文三路', '滨江区江南大道', '上城区钱江路', '拱墅区莫干山路', '余杭区文一西路'],
};
const TAGS = ['理财客户', '代发工资', '房贷', '信用卡', '老年客户', '企业主', '投诉过', '高净值', '新开户'];
const INTENT = ['马上要做', '考虑中', '关注', '一年内不会做', '已做', '尚不了解'];
const SOURCES = ['网点到访', '电话咨询', '线上渠道', '转介绍', '活动'];
const TIERS = ['VIP', '重要', '普通', '普通', '普通'];
const STAGES = ['新客户', '活跃', '活跃', '沉睡', '流失'];

/** A small deterministic PRNG so the demo data is the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]!,
  };
}

/**
 * Demo customers: `count` individuals with Chinese names and realistic phones, spread over the demo outlets and
 * owned by their tellers, with counter visits and transactions over the last 18 months.
 */
export async function loadDemoCustomers(
  deps: { db: Db; clock: TClock },
  tenantId: string,
  count = 3000,
): Promise<number> {
  const [existing] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(customers)
    .where(eq(customers.tenantId, tenantId));
  if ((existing?.n ?? 0) > 0) return 0;
  const r = rng(20261123);
  const now = deps.clock.now().getTime();
  const DAY = 86_400_000;
  const counters = await deps.db
    .select({ id: orgUnits.id, code: orgUnits.code, parentId: orgUnits.parentId })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.type, 'counter')));
  const tellerRows = await deps.db
    .select({ id: users.id, unitId: users.unitId })
    .from(users)
    .innerJoin(userRoles, eq(userRoles.userId, users.id))
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(and(eq(users.tenantId, tenantId), eq(roles.key, 'teller')));
  if (counters.length === 0) return 0;
  const outletOf = new Map(counters.map((c) => [c.id, c.parentId!]));
  const tellerOf = new Map(tellerRows.map((t) => [t.unitId, t.id]));
  const [visitType] = await deps.db
    .select()
    .from(serviceTypes)
    .where(and(eq(serviceTypes.tenantId, tenantId), inArray(serviceTypes.key, ['counter_visit'])));

  const rowsC: (typeof customers.$inferInsert)[] = [];
  const rowsS: (typeof serviceRecords.$inferInsert)[] = [];
  const rowsT: (typeof transactions.$inferInsert)[] = [];
  const usedPhones = new Set<string>();
  for (let i = 0; i < count; i++) {
    const counter = r.pick(counters);
    const city = (counter.code ?? 'SH').startsWith('HZ') ? 'HZ' : 'SH';
    let phone = '';
    do phone = r.pick(MOBILE_PREFIXES) + String(r.int(1e8)).padStart(8, '0');
    while (usedPhones.has(phone));
    usedPhones.add(phone);
    const id = crypto.randomUUID();
    const createdAt = new Date(now - r.int(540) * DAY - r.int(DAY));
    const name = r.pick([...SURNAMES]) + r.pick([...GIVEN]) + (r.next() < 0.5 ? r.pick([...GIVEN]) : '');
    rowsC.push({
      id,
      tenantId,
      kind: 'individual',
      name,
      gender: r.next() < 0.5 ? 'male' : 'female',
      birthday: `${1950 + r.int(50)}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`,
      phones: [phone],
      phoneDigits: phoneDigitsOf([phone]),
      address: `${city === 'SH' ? '上海市' : '浙江省杭州市'}${r.pick(STREETS[city])}${1 + r.int(999)}号${1 + r.int(30)}楼${100 + r.int(2000)}室`,
      source: r.pick(SOURCES),
      ownerId: tellerOf.get(counter.id) ?? null,
      unitId: outletOf.get(counter.id) ?? counter.id,
      tags: r.next() < 0.6 ? [r.pick(TAGS)] : [],
      tier: r.pick(TIERS),
      lifecycleStage: r.pick(STAGES),
      intentLevel: r.pick(INTENT),
      consentService: r.next() < 0.95,
      consentMarketing: r.next() < 0.4,
      createdAt,
      updatedAt: createdAt,
    });
    const visits = 1 + r.int(5);
    for (let v = 0; v < visits && visitType; v++) {
      const at = new Date(
        createdAt.getTime() + r.int(Math.max(1, Math.floor((now - createdAt.getTime()) / DAY))) * DAY + 9 * 3_600_000,
      );
      rowsS.push({
        tenantId,
        customerId: id,
        serviceTypeId: visitType.id,
        unitId: counter.id,
        staffId: tellerOf.get(counter.id) ?? null,
        occurredAt: at,
        summary: r.pick(['个人存取款', '开户', '理财咨询', '信用卡激活', '转账汇款', '挂失补办']),
        createdAt: at,
      });
    }
    if (r.next() < 0.5) {
      const at = new Date(createdAt.getTime() + r.int(100) * DAY);
      if (at.getTime() < now)
        rowsT.push({
          tenantId,
          customerId: id,
          unitId: outletOf.get(counter.id) ?? counter.id,
          kind: 'order',
          orderNo: `LC${String(100000 + i)}`,
          amountFen: (1 + r.int(500)) * 100_000,
          occurredAt: at,
          note: '理财产品认购',
          createdAt: at,
        });
    }
  }
  await deps.db.transaction(async (tx) => {
    for (let i = 0; i < rowsC.length; i += 500) await tx.insert(customers).values(rowsC.slice(i, i + 500));
    for (let i = 0; i < rowsS.length; i += 1000) await tx.insert(serviceRecords).values(rowsS.slice(i, i + 1000));
    for (let i = 0; i < rowsT.length; i += 1000) await tx.insert(transactions).values(rowsT.slice(i, i + 1000));
  });
  return rowsC.length;
}

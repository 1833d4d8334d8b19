import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '@huifang/shared';
import { customers } from '../src/db/schema/index.ts';
import { enqueueMessages } from '../src/modules/messaging/outbox.repository.ts';
import { createUser, loginAs, uniq, unitIdByCode } from './helpers.ts';
import { createTestApp, type TClient, type TTestApp } from './test-app.ts';

/**
 * PII canary: a customer with a known phone, ID number, e-mail and address; roles without pii:reveal walk every GET
 * route of the route registry they may call (real ids substituted, searches by the canary phone, every export); the
 * canary values never appear in a response, an export, an audit row or a log line, in any common format.
 */

const PHONE = '13528528043';
const ID_NUMBER = '33010619850312123X';
const EMAIL = 'canary.person@example.com';
const ADDRESS = '上海市浦东新区文三路金桂苑7幢302室';
const CANARIES = [
  PHONE,
  '135-2852-8043',
  '135 2852 8043',
  '+8613528528043',
  '+86 135 2852 8043',
  ID_NUMBER,
  ID_NUMBER.toLowerCase(),
  '330106 19850312 123X',
  EMAIL,
  'canary.person',
  ADDRESS,
  '文三路金桂苑',
  '金桂苑7幢',
  '7幢302室',
];
const found = (text: string) => CANARIES.filter((c) => text.includes(c));

const logLines: string[] = [];
const logStream = new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()) });

let t: TTestApp;
let admin: TClient;
const ids: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream });
  admin = await t.login('admin');
  const shUnit = await unitIdByCode(t, 'SH');
  const created = await admin.post('/api/customers', {
    name: '金丝雀',
    unitId: shUnit,
    phones: [PHONE],
    idNumber: ID_NUMBER,
    email: EMAIL,
    address: ADDRESS,
    consentService: true,
  });
  expect(created.statusCode, created.body).toBe(201);
  const customerId = created.json().id as string;
  // The customer moves through the modules that can carry personal data: a note, an order, a follow-up plan and its
  // tasks, a survey link, an SMS to the phone, a counter session, a search and an export by phone.
  const note = await admin.post(`/api/customers/${customerId}/notes`, { body: '来电咨询理财' });
  expect(note.statusCode, note.body).toBeLessThan(300);
  const order = await admin.post(`/api/customers/${customerId}/transactions`, {
    kind: 'order',
    amountFen: 12_900,
    occurredAt: t.clock.now().toISOString(),
    orderNo: uniq('E'),
  });
  expect(order.statusCode, order.body).toBe(201);
  const plan = await admin.post('/api/followup/plans', {
    name: uniq('金丝雀计划'),
    topic: 'care',
    methods: ['phone', 'sms'],
    targetKind: 'list',
    customerIds: [customerId],
    startDate: t.clock.now().toISOString().slice(0, 10),
    assignment: 'owner',
  });
  expect(plan.statusCode, plan.body).toBe(201);
  expect((await admin.post(`/api/followup/plans/${plan.json().id}/status`, { status: 'active' })).statusCode).toBe(200);
  const survey = await admin.post('/api/surveys', { template: 'consumer_goods' });
  expect(survey.statusCode, survey.body).toBe(201);
  expect((await admin.post(`/api/surveys/${survey.json().id}/publish`)).statusCode).toBe(200);
  expect((await admin.post(`/api/surveys/${survey.json().id}/links`, { customerId })).statusCode).toBe(201);
  await enqueueMessages(t.db, t.clock.now(), [
    { tenantId: t.tenantId, unitId: shUnit, channel: 'sms', to: PHONE, body: '您好', customerId },
  ]);
  await t.jobs.idle();
  const teller = await t.login('chen.teller');
  await t.pool.query('update customers set owner_id = $2 where id = $1', [customerId, teller.me.user.id]);
  const session = await teller.post('/api/counter/sessions', {
    counterId: await unitIdByCode(t, 'SH-LJZ-W1'),
    businessType: '开户销户',
    customerId,
  });
  expect(session.statusCode, session.body).toBe(200);
  expect((await admin.get(`/api/customers?q=${PHONE}`)).json().total).toBe(1);

  // The ids a tour substitutes: everything the canary customer touched, its units and people, the latest audit rows.
  const r = await t.pool.query<{ id: string }>(
    `select $1::text as id union all select id::text from followup_tasks where customer_id = $1::uuid union all select plan_id::text from followup_tasks where customer_id = $1::uuid
     union all select id::text from surveys union all select id::text from outbox_messages where customer_id = $1::uuid union all select id::text from service_sessions where customer_id = $1::uuid
     union all select id::text from transactions where customer_id = $1::uuid union all select id::text from org_units where code in ('SH', 'SH-LJZ', 'SH-LJZ-W1')
     union all select id::text from users where username = 'chen.teller'
     union all (select id::text from audit_events where entity_id = $1::text order by id desc limit 3)`,
    [customerId],
  );
  ids.push(...new Set(r.rows.map((x) => x.id)));
});
afterAll(async () => t.close());

/** Text of a response, with xlsx workbooks unpacked into their cell values. */
async function textOf(res: LightMyRequestResponse): Promise<string> {
  if (!String(res.headers['content-type'] ?? '').includes('spreadsheetml')) return res.body;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.text ?? c.value)))));
  return cells.join('\n');
}

/** Every GET route of the registry the client may call, with each real id substituted and a search by the phone. */
async function tour(client: TClient): Promise<{ requests: number; ok: number; masked: number; leaks: string[] }> {
  const perms = new Set(client.me.permissions);
  const leaks: string[] = [];
  let requests = 0;
  let ok = 0;
  let masked = 0;
  for (const route of t.app.routeAccess) {
    if (route.method !== 'GET' || !route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) continue;
    if (route.access !== 'authenticated' && route.access !== 'public' && !perms.has(route.access as never)) continue;
    const params = route.url.match(/:\w+/g) ?? [];
    const urls = params.length === 0 ? [route.url] : ids.map((id) => route.url.replace(/:\w+/g, id));
    for (const base of urls) {
      for (const query of params.length ? [''] : ['', `?pageSize=100&q=${PHONE}`, '?format=xlsx&pageSize=100']) {
        const res = await client.get(base + query);
        requests++;
        if (res.statusCode === 200) ok++;
        const text = await textOf(res);
        if (text.includes('135****8043')) masked++;
        const hit = found(text);
        if (hit.length) leaks.push(`${base + query} → ${res.statusCode} shows ${hit.join(', ')}`);
      }
    }
  }
  return { requests, ok, masked, leaks };
}

describe('PII canary', () => {
  it('a role with every permission but pii:reveal, the auditor and a teller never see the canary, in any response or export', async () => {
    const role = await admin.post('/api/roles', {
      name: uniq('无脱敏查看'),
      permissions: PERMISSIONS.filter((p) => p !== 'pii:reveal'),
      dataScope: 'tenant',
    });
    expect(role.statusCode, role.body).toBe(201);
    const u = await createUser(t, admin, { unitCode: 'HQ', roleIds: [role.json().id] });
    const everything = await loginAs(t, u.username, { password: u.password });
    let total = 0;
    for (const client of [everything, await t.login('zhao.auditor'), await t.login('chen.teller')]) {
      expect(client.me.permissions).not.toContain('pii:reveal');
      const { requests, ok, masked, leaks } = await tour(client);
      expect(leaks).toEqual([]);
      expect(ok).toBeGreaterThan(10);
      // The canary customer was on the tour: its phone was shown, masked.
      expect(masked).toBeGreaterThan(0);
      total += requests;
    }
    // The tour is real: customer detail, tasks, outbox and the customer export answered.
    expect(total).toBeGreaterThan(300);
    // Control: with pii:reveal (admin) the reveal shows the phone, so a leak would have been seen.
    const canaryId = (await t.pool.query<{ id: string }>('select id from customers where name = $1', ['金丝雀']))
      .rows[0]!.id;
    const shown = await admin.post(`/api/customers/${canaryId}/reveal`, { field: 'phone', index: 0 });
    expect(shown.json().value).toBe(PHONE);
    // Several hundred requests per role on a shared machine.
  }, 240_000);

  it('no audit row and no log line holds the canary', async () => {
    const rows = await t.pool.query<{ t: string }>('select a::text as t from audit_events a');
    expect(rows.rows.length).toBeGreaterThan(5);
    const inAudit = rows.rows.flatMap((r) => found(r.t).map((c) => `${c} in ${r.t.slice(0, 200)}`));
    expect(inAudit).toEqual([]);
    const log = logLines.join('');
    expect(logLines.length).toBeGreaterThan(100);
    expect(log).toContain('/api/customers?q=[redacted]');
    expect(found(log)).toEqual([]);
  });

  it('a failed statement carrying the canary logs neither its parameters nor the row (pg detail)', async () => {
    const before = logLines.length;
    // Drizzle's error lists every parameter in its message; pg's detail quotes the failing row.
    const id = crypto.randomUUID();
    const row = {
      id,
      tenantId: t.tenantId,
      name: '金丝雀二',
      unitId: await unitIdByCode(t, 'SH'),
      phones: [PHONE],
      address: ADDRESS,
      idNumber: ID_NUMBER,
      email: EMAIL,
    };
    await t.db.insert(customers).values(row);
    const duplicate = await t.db
      .insert(customers)
      .values(row)
      .then(
        () => null,
        (e: unknown) => e,
      );
    const notNull = await t.pool
      .query(
        'insert into customers (id, tenant_id, name, unit_id, phones, address, id_number) values ($1, $2, $3, null, $4, $5, $6)',
        [crypto.randomUUID(), t.tenantId, '金丝雀三', [PHONE], ADDRESS, ID_NUMBER],
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(String((duplicate as Error).message)).toContain(PHONE);
    expect(JSON.stringify(notNull)).toContain('Failing row contains');
    t.app.log.error({ err: duplicate }, 'unhandled error');
    t.app.log.error({ err: notNull }, 'unhandled error');
    const out = logLines.slice(before).join('');
    expect(out).toContain('duplicate key');
    expect(out).toContain('not-null constraint');
    expect(found(out)).toEqual([]);
  });
});

import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TReportDelivery, TReportSchedule, TStaffPerformance, TStaffPerformanceRow } from '@huifang/shared';
import {
  auditRowsOfRequest,
  countRows,
  expectError,
  rootUnitId,
  unitIdByCode,
  userIdByName,
} from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';
import { appendTicketEvent } from '../tickets/ticket-actions.ts';

/** A real SMTP server: every accepted message (recipient and raw MIME) lands here. */
const mails: { to: string; raw: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      for (const r of session.envelope.rcptTo)
        mails.push({ to: r.address, raw: Buffer.concat(chunks).toString('utf8') });
      cb();
    });
  },
});

/** The first attachment of a raw MIME message (nodemailer writes it base64). */
function attachmentOf(raw: string): Buffer {
  const boundaries = [...raw.matchAll(/boundary="?([^"\r\n;]+)"?/g)].map((m) => m[1]!);
  for (const b of boundaries)
    for (const part of raw.split(`--${b}`)) {
      const cut = part.indexOf('\r\n\r\n');
      if (cut < 0) continue;
      const head = part.slice(0, cut);
      if (/Content-Disposition:\s*attachment/i.test(head) && /base64/i.test(head))
        return Buffer.from(part.slice(cut + 4).replace(/\s+/g, ''), 'base64');
    }
  throw new Error('no attachment');
}

/** Sheet rows as arrays of cell values (index 0 = column A). */
async function sheetRows(content: Buffer, name: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(name);
  expect(ws, name).toBeDefined();
  const rows: unknown[][] = [];
  ws!.eachRow({ includeEmpty: true }, (row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}

const asCells = (r: TStaffPerformanceRow) => [
  r.staffNo,
  r.staffName,
  r.unitName,
  r.evaluations,
  r.rated,
  r.satisfactionRate,
  r.avgScore,
  r.unsatisfied,
  r.excluded,
  r.sessions,
  r.avgHandlingSeconds,
  r.followupsDone,
  r.complaintsAtFault,
];
/** Data rows of the 员工绩效 sheet: after the filter rows, the empty row and the header. */
const dataRows = (rows: unknown[][]) => {
  const header = rows.findIndex((r) => r[0] === '工号');
  expect(header).toBeGreaterThan(0);
  return rows.slice(header + 1).map((r) => Array.from({ length: 13 }, (_, i) => r[i] ?? null));
};

let t: TTestApp;
/** Fresh sessions at the clock's current time (the tests move the clock by weeks; older sessions expire). */
let admin: TClient;
let zhang: TClient;
const relogin = async () => {
  admin = await t.login('admin');
  zhang = await t.login('zhang.manager');
};
const MARCH = 'from=2031-03-01&to=2031-03-31';
beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  await seed();
  await relogin();
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/**
 * March 2031 (Asia/Shanghai). teller03 (徐家汇): ratings 5, 4, 2, 1, 未评价, and a 1 excluded on appeal; two sessions
 * (300 s, 600 s); one ticket about him decided at fault, one decided not at fault. chen.teller (陆家嘴): a 5.
 * liu.agent (上海分行): two follow-up tasks done in March, one done in February, one pending. teller10 (杭州): a 1.
 */
async function seed() {
  const xjh = await unitIdByCode(t, 'SH-XJH');
  const ljz = await unitIdByCode(t, 'SH-LJZ');
  const hz = await unitIdByCode(t, 'HZ-XH');
  const sh = await unitIdByCode(t, 'SH');
  const teller03 = await userIdByName(t, 'teller03');
  const chen = await userIdByName(t, 'chen.teller');
  const teller10 = await userIdByName(t, 'teller10');
  const liu = await userIdByName(t, 'liu.agent');
  const ev = (unitId: string, score: number | null, at: string, staffId: string) =>
    recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel: 'kiosk',
      occurredAt: new Date(at),
      unitId,
      staffId,
      sourceType: 'device',
      score,
      idempotencyKey: crypto.randomUUID(),
    });
  await ev(xjh, 5, '2031-03-05T02:00:00Z', teller03);
  await ev(xjh, 4, '2031-03-10T02:00:00Z', teller03);
  await ev(xjh, 2, '2031-03-12T02:00:00Z', teller03);
  await ev(xjh, 1, '2031-03-20T02:00:00Z', teller03);
  await ev(xjh, null, '2031-03-21T02:00:00Z', teller03);
  // 00:30 on 1 April local (31 March UTC): not March.
  await ev(xjh, 1, '2031-03-31T16:30:00Z', teller03);
  const excluded = await ev(xjh, 1, '2031-03-30T02:00:00Z', teller03);
  await ev(ljz, 5, '2031-03-15T02:00:00Z', chen);
  await ev(hz, 1, '2031-03-05T02:00:00Z', teller10);

  const counter = (
    await t.pool.query("select id from org_units where parent_id = $1 and type = 'counter' order by path limit 1", [
      xjh,
    ])
  ).rows[0].id as string;
  for (const [startedAt, secs] of [
    ['2031-03-02T02:00:00Z', 300],
    ['2031-03-03T02:00:00Z', 600],
  ] as const) {
    const start = new Date(startedAt);
    await t.pool.query(
      'insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [t.tenantId, counter, xjh, teller03, '对私', start, new Date(start.getTime() + secs * 1000), secs],
    );
  }

  t.clock.set('2031-03-31T06:00:00Z');
  const tellerClient = await t.login('teller03');
  const z = await t.login('zhang.manager');
  expect((await tellerClient.post(`/api/evaluations/${excluded.id}/appeal`, { reason: '客户误按' })).statusCode).toBe(
    200,
  );
  expect((await z.post(`/api/evaluations/${excluded.id}/exclude`, { reason: '监控确认误按' })).statusCode).toBe(200);

  // Tickets about teller03, with the supervision team's fault decision recorded as its decision event writes it
  // (appeal_decided), so the complaint read model counts it.
  t.clock.set('2031-03-18T06:00:00Z');
  const zhangId = await userIdByName(t, 'zhang.manager');
  for (const decision of ['at_fault', 'no_fault']) {
    const res = await z.post('/api/tickets', {
      title: '柜员态度差',
      category: 'service_attitude',
      priority: 'normal',
      unitId: xjh,
      staffId: teller03,
    });
    expect(res.statusCode, res.body).toBe(201);
    await t.db.transaction((tx) =>
      appendTicketEvent(tx, {
        tenantId: t.tenantId,
        ticketId: res.json().ticket.id,
        type: 'appeal_decided',
        actorId: zhangId,
        at: t.clock.now(),
        set: { faultDecision: decision as 'at_fault' | 'no_fault' },
      }),
    );
  }

  const task = (state: string, completedAt: string | null) =>
    t.pool.query(
      `insert into followup_tasks (tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from,
         due_until, completed_at, created_at, updated_at)
       values ($1, $2, $3, 'k', $4, $5, $6, '2031-02-01', '2031-04-30', $7, now(), now())`,
      [t.tenantId, crypto.randomUUID(), crypto.randomUUID(), sh, liu, state, completedAt],
    );
  await task('done', '2031-03-02T01:00:00Z');
  await task('done', '2031-03-31T15:59:00Z'); // 23:59 on 31 March local
  await task('done', '2031-02-28T15:59:00Z'); // 23:59 on 28 February local
  await task('pending', null);

  for (const u of ['zhang.manager', 'li.manager', 'admin'])
    await t.pool.query('update users set email = $1 where tenant_id = $2 and username = $3', [
      `${u}@bank.example.cn`,
      t.tenantId,
      u,
    ]);
  t.clock.set('2031-04-02T02:00:00Z');
}

const perf = async (c: TClient, query: string): Promise<TStaffPerformance> => {
  const res = await c.get(`/api/reports/staff-performance?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const row = (p: TStaffPerformance, staffId: string) => p.rows.find((r) => r.staffId === staffId);

describe('GET /api/reports/staff-performance (员工绩效)', () => {
  it('figures of a branch manager by hand: appealed-and-excluded rating left out, sessions, follow-ups done, complaints at fault; other branches absent', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const p = await perf(zhang, `unitId=${sh}&${MARCH}`);
    expect(p).toMatchObject({ unitId: sh, unitName: '上海分行', from: '2031-03-01', to: '2031-03-31' });
    expect(row(p, await userIdByName(t, 'teller03'))).toMatchObject({
      staffName: '黄敏',
      evaluations: 5,
      rated: 4,
      satisfactionRate: 50,
      avgScore: 3,
      unsatisfied: 2,
      excluded: 1,
      sessions: 2,
      avgHandlingSeconds: 450,
      followupsDone: 0,
      complaintsAtFault: 1,
    });
    expect(row(p, await userIdByName(t, 'chen.teller'))).toMatchObject({
      evaluations: 1,
      satisfactionRate: 100,
      unsatisfied: 0,
      complaintsAtFault: 0,
    });
    expect(row(p, await userIdByName(t, 'liu.agent'))).toMatchObject({ evaluations: 0, followupsDone: 2 });
    expect(row(p, await userIdByName(t, 'teller10'))).toBeUndefined();
    expect(p.rows).toHaveLength(3);

    // The same 不满意 per staff member straight from the facts of the subtree (latest exclude/restore decides).
    for (const r of p.rows) {
      const direct = await countRows(
        t,
        `select 1 from evaluations e join tenants tn on tn.id = e.tenant_id
         where e.tenant_id = $1 and e.staff_id = $2 and e.score <= 2
           and e.unit_id in (select id from org_units where path like (select path from org_units where id = $3) || '%')
           and (e.occurred_at at time zone tn.time_zone)::date between '2031-03-01' and '2031-03-31'
           and coalesce((select c.kind from evaluation_corrections c where c.evaluation_id = e.id
                         and c.kind in ('exclude', 'restore') order by c.at desc, c.id desc limit 1), 'restore') <> 'exclude'`,
        [t.tenantId, r.staffId, sh],
      );
      expect(r.unsatisfied, r.staffName ?? r.staffId).toBe(direct);
    }

    // A narrower unit of his subtree: only 陆家嘴's staff.
    const ljz = await perf(zhang, `unitId=${await unitIdByCode(t, 'SH-LJZ')}&${MARCH}`);
    expect(ljz.rows.map((r) => r.staffName)).toEqual(['陈静']);
  });

  it('a teller sees only his own row; a unit outside the caller’s scope is 404; a bad range is 400 naming the field', async () => {
    const teller = await t.login('teller03');
    const own = await perf(teller, MARCH);
    expect(own.rows).toHaveLength(1);
    expect(own.rows[0]).toMatchObject({
      staffId: teller.me.user.id,
      evaluations: 5,
      unsatisfied: 2,
      complaintsAtFault: 1,
    });
    await expectError(
      await teller.get(`/api/reports/staff-performance?unitId=${await unitIdByCode(t, 'SH')}&${MARCH}`),
      404,
      'NOT_FOUND',
    );
    const li = await t.login('li.manager');
    await expectError(
      await li.get(`/api/reports/staff-performance?unitId=${await unitIdByCode(t, 'SH-XJH')}&${MARCH}`),
      404,
      'NOT_FOUND',
    );
    const hzOnly = await perf(li, MARCH);
    expect(hzOnly.rows.map((r) => r.staffName)).toEqual(['胡斌']);
    const bad = await zhang.get('/api/reports/staff-performance?from=2031-03-31&to=2031-03-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { path: string }) => d.path)).toContain('querystring.to');
    const long = await zhang.get('/api/reports/staff-performance?from=2030-01-01&to=2031-03-01');
    expect(long.statusCode).toBe(400);
  });

  it('the xlsx export holds the filters and exactly the rows of the API; the export is audited', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const p = await perf(zhang, `unitId=${sh}&${MARCH}`);
    const res = await zhang.get(`/api/reports/staff-performance/export?unitId=${sh}&${MARCH}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain('staff-performance-');
    const rows = await sheetRows(res.rawPayload, '员工绩效');
    expect(rows.slice(0, 4).map((r) => r.slice(0, 2))).toEqual([
      ['报表', '员工绩效'],
      ['机构', '上海分行'],
      ['开始日期', '2031-03-01'],
      ['结束日期', '2031-03-31'],
    ]);
    expect(dataRows(rows)).toEqual(p.rows.map(asCells));
    expect((await auditRowsOfRequest(t, res)).map((a) => a.action)).toEqual(['report.staff_performance.exported']);
  });

  it('follow-ups done by local completion day across month edges (month table for whole months, day table for the partial ones) equal the tasks counted directly', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const ljz = await unitIdByCode(t, 'SH-LJZ');
    const liu = await userIdByName(t, 'liu.agent');
    const chen = await userIdByName(t, 'chen.teller');
    // 2030, Asia/Shanghai (UTC+8): nothing else of the seed is in these months.
    const task = async (unitId: string, assignee: string, completedAt: string) => {
      const id = crypto.randomUUID();
      await t.pool.query(
        `insert into followup_tasks (id, tenant_id, plan_id, customer_id, occurrence_key, unit_id, assignee_id, state, due_from,
           due_until, completed_at, created_at, updated_at)
         values ($1, $2, $3, $4, 'k', $5, $6, 'done', '2030-04-01', '2030-06-10', $7, now(), now())`,
        [id, t.tenantId, crypto.randomUUID(), crypto.randomUUID(), unitId, assignee, completedAt],
      );
      return id;
    };
    await task(sh, liu, '2030-04-30T15:59:00Z'); // 23:59 on 30 April local: the last day of a partial month
    await task(sh, liu, '2030-04-30T16:00:30Z'); // 00:00:30 on 1 May local: the first day of a whole month
    await task(sh, liu, '2030-05-31T15:59:00Z'); // 23:59 on 31 May local: the last day of a whole month
    await task(sh, liu, '2030-05-31T16:01:00Z'); // 00:01 on 1 June local
    const moved = await task(sh, liu, '2030-06-15T02:00:00Z');
    const reopened = await task(sh, liu, '2030-06-16T02:00:00Z');
    await task(ljz, chen, '2030-04-14T15:59:00Z'); // 23:59 on 14 April local: before the range
    await task(ljz, chen, '2030-04-14T16:00:00Z'); // 00:00 on 15 April local: its first day
    await task(ljz, chen, '2030-07-10T15:59:00Z'); // 23:59 on 10 July local: its last day
    await task(ljz, chen, '2030-07-10T16:00:00Z'); // 00:00 on 11 July local: after it
    // Reassigned to chen (and to 陆家嘴) after it was done; one reopened: no longer done.
    await t.pool.query('update followup_tasks set assignee_id = $2, unit_id = $3 where id = $1', [moved, chen, ljz]);
    await t.pool.query(
      "update followup_tasks set state = 'pending', completed_at = null where id = $1 and tenant_id = $2",
      [reopened, t.tenantId],
    );

    const direct = async (from: string, to: string) => {
      const res = await t.pool.query<{ staff_id: string; done: number }>(
        `select f.assignee_id as staff_id, count(*)::int as done from followup_tasks f join tenants tn on tn.id = f.tenant_id
         where f.tenant_id = $1 and f.state = 'done' and f.assignee_id is not null
           and (f.completed_at at time zone tn.time_zone)::date between $2::date and $3::date
         group by 1`,
        [t.tenantId, from, to],
      );
      return Object.fromEntries(res.rows.map((r) => [r.staff_id, r.done]));
    };
    const done = async (c: TClient, from: string, to: string, unit = '') => {
      const p = await perf(c, `${unit ? `unitId=${unit}&` : ''}from=${from}&to=${to}`);
      return Object.fromEntries(p.rows.filter((r) => r.followupsDone > 0).map((r) => [r.staffId, r.followupsDone]));
    };
    const cases: [string, string, Record<string, number>][] = [
      ['2030-04-15', '2030-07-10', { [liu]: 4, [chen]: 3 }], // partial April, whole May and June, partial July
      ['2030-05-31', '2030-06-01', { [liu]: 2 }], // the two days either side of a month's end
      ['2030-06-01', '2030-06-30', { [liu]: 1, [chen]: 1 }], // one whole month
      ['2030-05-01', '2030-05-31', { [liu]: 2 }],
      ['2030-04-30', '2030-05-01', { [liu]: 2 }],
    ];
    for (const [from, to, want] of cases) {
      expect(await done(admin, from, to), `${from}..${to}`).toEqual(want);
      expect(await direct(from, to), `${from}..${to}`).toEqual(want);
    }
    // Scoped: 陆家嘴 only (chen, with the task moved there), and a teller's own row.
    expect(await done(zhang, '2030-04-15', '2030-07-10', ljz)).toEqual({ [chen]: 3 });
    const chenClient = await t.login('chen.teller');
    expect(await done(chenClient, '2030-04-15', '2030-07-10')).toEqual({ [chen]: 3 });
  });
});

describe('scheduled reports 定时报表', () => {
  const schedule = async (body: Record<string, unknown>) => {
    await relogin();
    const res = await admin.post('/api/report-schedules', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  };
  const deliveries = async (id: string): Promise<TReportDelivery[]> => {
    await relogin();
    const res = await admin.get(`/api/report-schedules/${id}/deliveries`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };
  const listed = async (id: string): Promise<TReportSchedule> => {
    await relogin();
    const res = await admin.get('/api/report-schedules');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as TReportSchedule[]).find((x) => x.id === id)!;
  };
  const runJobs = async () => {
    await t.jobs.send('report-schedules', {});
    await t.jobs.idle();
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
  };

  it('a monthly schedule sends last month once at its time, each recipient with his own scope; a re-run sends nothing twice', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const ids = {
      zhang: await userIdByName(t, 'zhang.manager'),
      li: await userIdByName(t, 'li.manager'),
      admin: await userIdByName(t, 'admin'),
      liu: await userIdByName(t, 'liu.agent'),
    };
    t.clock.set('2031-03-31T06:00:00Z');
    const s = await schedule({
      name: '上海分行月报',
      kind: 'staff_performance',
      frequency: 'monthly',
      monthDay: 1,
      sendTime: '08:00',
      unitId: sh,
      recipientIds: [ids.zhang, ids.li, ids.admin, ids.liu],
    });
    mails.length = 0;
    // 07:59 on 1 April local: the last send time (1 March) is before the schedule existed — nothing.
    t.clock.set('2031-03-31T23:59:00Z');
    await runJobs();
    expect(mails).toEqual([]);
    expect(await deliveries(s.id)).toEqual([]);

    // 08:00 on 1 April local: March's report. Queued first: 最近发送 stays empty until the outbox has sent one.
    t.clock.set('2031-04-01T00:00:00Z');
    await t.jobs.send('report-schedules', {});
    await t.jobs.idle();
    expect((await listed(s.id)).lastSentAt).toBeNull();
    t.clock.set('2031-04-01T00:03:00Z');
    await runJobs();
    expect(mails.map((m) => m.to).sort()).toEqual(['admin@bank.example.cn', 'zhang.manager@bank.example.cn']);
    expect((await listed(s.id)).lastSentAt).toBe('2031-04-01T00:03:00.000Z');
    const d = await deliveries(s.id);
    const by = new Map(d.map((x) => [x.recipientId, x]));
    expect(by.get(ids.zhang)).toMatchObject({
      periodFrom: '2031-03-01',
      periodTo: '2031-03-31',
      status: 'queued',
      outboxStatus: 'sent',
    });
    expect(by.get(ids.li)).toMatchObject({ status: 'skipped', error: 'unit_out_of_scope' });
    expect(by.get(ids.liu)).toMatchObject({ status: 'skipped', error: 'no_email' });

    // The attachment opens with exceljs; its rows are the API's figures for that recipient.
    await relogin();
    const expected = (await perf(zhang, `unitId=${sh}&${MARCH}`)).rows.map(asCells);
    for (const m of mails) {
      const rows = await sheetRows(attachmentOf(m.raw), '员工绩效');
      expect(rows[0]?.slice(0, 2)).toEqual(['定时报表', '上海分行月报']);
      expect(dataRows(rows)).toEqual(expected);
    }

    // The job again (and again later the same month): no second e-mail, no second delivery.
    await runJobs();
    t.clock.set('2031-04-20T00:00:00Z');
    await runJobs();
    expect(mails).toHaveLength(2);
    expect(await deliveries(s.id)).toHaveLength(4);
    expect(
      await countRows(t, "select 1 from outbox_messages where tenant_id = $1 and ref_type = 'report_delivery'", [
        t.tenantId,
      ]),
    ).toBe(2);
  });

  it('立即发送 sends the period just past to a recipient of another branch with his own scope only; once per period', async () => {
    const hq = await rootUnitId(t);
    const li = await userIdByName(t, 'li.manager');
    const zhangId = await userIdByName(t, 'zhang.manager');
    t.clock.set('2031-04-02T02:00:00Z'); // Wednesday: last ISO week is 24–30 March
    const s = await schedule({
      name: '全行周报',
      kind: 'dashboard_summary',
      frequency: 'weekly',
      weekday: 1,
      sendTime: '09:00',
      unitId: hq,
      recipientIds: [li, zhangId],
    });
    mails.length = 0;
    await relogin();
    const res = await admin.post(`/api/report-schedules/${s.id}/send`);
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res
        .json()
        .deliveries.map((x: TReportDelivery) => [x.periodFrom, x.status, x.error])
        .sort(),
    ).toEqual([
      ['2031-03-24', 'skipped', 'unit_out_of_scope'],
      ['2031-03-24', 'skipped', 'unit_out_of_scope'],
    ]);
    // The whole bank is outside both branch managers' scopes: nobody gets the head office's figures.
    await t.jobs.idle();
    expect(mails).toEqual([]);

    // Their own branch: each gets his branch only.
    const hz = await unitIdByCode(t, 'HZ');
    const s2 = await schedule({
      name: '杭州周报',
      kind: 'staff_performance',
      frequency: 'weekly',
      weekday: 1,
      sendTime: '09:00',
      unitId: hz,
      recipientIds: [li, zhangId],
    });
    const sent = await admin.post(`/api/report-schedules/${s2.id}/send`);
    expect(sent.statusCode, sent.body).toBe(200);
    await t.jobs.idle();
    expect(mails.map((m) => m.to)).toEqual(['li.manager@bank.example.cn']);
    const rows = dataRows(await sheetRows(attachmentOf(mails[0]!.raw), '员工绩效'));
    const liClient = await t.login('li.manager');
    expect(rows).toEqual((await perf(liClient, `unitId=${hz}&from=2031-03-24&to=2031-03-30`)).rows.map(asCells));
    // Once per period: sending again queues nothing new.
    expect((await admin.post(`/api/report-schedules/${s2.id}/send`)).statusCode).toBe(200);
    await t.jobs.idle();
    expect(mails).toHaveLength(1);
  });

  it('CRUD: validation names the field, a unit or recipient outside the editor’s scope is 404, tellers may not manage', async () => {
    await relogin();
    const sh = await unitIdByCode(t, 'SH');
    const base = { name: '周报', kind: 'staff_performance', frequency: 'weekly', sendTime: '08:00', unitId: sh };
    const zId = zhang.me.user.id;
    const noDay = await zhang.post('/api/report-schedules', { ...base, recipientIds: [zId] });
    expect(noDay.statusCode).toBe(400);
    expect(noDay.json().details.map((d: { path: string }) => d.path)).toContain('body.weekday');
    const before = await countRows(t, 'select 1 from report_schedules');
    const hzUnit = await zhang.post('/api/report-schedules', {
      ...base,
      weekday: 1,
      unitId: await unitIdByCode(t, 'HZ'),
      recipientIds: [zId],
    });
    await expectError(hzUnit, 404, 'NOT_FOUND');
    const liRecipient = await zhang.post('/api/report-schedules', {
      ...base,
      weekday: 1,
      recipientIds: [zId, await userIdByName(t, 'li.manager')],
    });
    await expectError(liRecipient, 404, 'NOT_FOUND');
    expect(liRecipient.json().details[0].path).toBe('body.recipientIds.1');
    expect(await countRows(t, 'select 1 from report_schedules')).toBe(before);

    const created = await zhang.post('/api/report-schedules', { ...base, weekday: 1, recipientIds: [zId] });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const upd = await zhang.request({
      method: 'PUT',
      url: `/api/report-schedules/${id}`,
      payload: { ...base, frequency: 'daily', weekday: 3, recipientIds: [zId], enabled: false },
    });
    expect(upd.statusCode, upd.body).toBe(200);
    expect(upd.json()).toMatchObject({ frequency: 'daily', weekday: null, enabled: false, unitName: '上海分行' });
    await expectError(
      await (await t.login('li.manager')).get(`/api/report-schedules/${id}/deliveries`),
      404,
      'NOT_FOUND',
    );
    await expectError(await (await t.login('teller03')).get('/api/report-schedules'), 403, 'FORBIDDEN');
    expect((await zhang.del(`/api/report-schedules/${id}`)).statusCode).toBe(204);
    expect(await countRows(t, 'select 1 from report_schedules where id = $1', [id])).toBe(0);
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFollowupPlan, TOutboxMessage, TPlanMessageStats, TTaskDetail } from '@huifang/shared';
import { createCustomer, letters } from '../../../../test/customers-helpers.ts';
import { countRows, expectError, loginAs, userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';
import type { TSmsProvider, TSmsRequest } from '../../messaging/sms/provider.ts';
import { enqueueSms } from '../../messaging/templates.ts';

/** The outside world's only fake: an SMS provider that records what would have gone out (or fails on demand). */
const sent: TSmsRequest[] = [];
let failing = false;
const provider: TSmsProvider = {
  name: 'test',
  send: async (req) => {
    if (failing) throw new Error('isv.BUSINESS_LIMIT_CONTROL');
    sent.push(req);
    return { providerMessageId: `biz-${letters(8)}^0` };
  },
};

let t: TTestApp;
let admin: TClient;
let manager: TClient;
let liuId: string;
// 2026-03-10 10:00 in Asia/Shanghai.
const NOW = '2026-03-10T02:00:00Z';

beforeAll(async () => {
  t = await createTestApp({ sms: () => provider });
  t.clock.set(NOW);
  [admin, manager] = await Promise.all([t.login('admin'), t.login('zhang.manager')]);
  liuId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

let trips = 0;
async function travel(iso: string) {
  t.clock.set(iso);
  const ip = `10.8.${Math.floor(++trips / 250)}.${trips % 250}`;
  [admin, manager] = (await Promise.all(['admin', 'zhang.manager'].map((u) => loginAs(t, u, { ip })))) as [
    TClient,
    TClient,
  ];
}

/** Customers of 陆家嘴支行 with a fresh tag, and the saved filter selecting them. */
async function segment(names: string[], over: Record<string, unknown> = {}) {
  const tag = `auto${letters(6)}`;
  const customers = [];
  for (const [i, name] of names.entries())
    customers.push(
      await createCustomer(t, admin, 'SH-LJZ', {
        name,
        gender: 'male',
        tags: [tag],
        phones: [`1391234${String(i).padStart(4, '0')}`],
        ...over,
      }),
    );
  const f = await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } });
  expect(f.statusCode, f.body).toBe(201);
  return { customers, savedFilterId: f.json().id as string };
}

const smsMessage = {
  channel: 'sms',
  template: '{客户称呼}您好，感谢您到{网点名称}办理业务，祝您生活愉快。',
  templateCode: 'SMS_4242',
};
async function smsPlan(savedFilterId: string, over: Record<string, unknown> = {}): Promise<TFollowupPlan> {
  const res = await manager.post('/api/followup/plans', {
    name: `短信关怀-${letters(4)}`,
    topic: 'care',
    methods: ['sms'],
    targetKind: 'segment',
    savedFilterId,
    startDate: '2026-03-10',
    dueDays: 7,
    assignment: 'fixed',
    assigneeId: liuId,
    maxAttempts: 2,
    retryHours: 4,
    message: smsMessage,
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  const plan = res.json() as TFollowupPlan;
  const act = await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'active' });
  expect(act.statusCode, act.body).toBe(200);
  return plan;
}

async function runJobs(...names: ('followup-auto-send' | 'outbox-send')[]) {
  for (const n of names) {
    await t.jobs.send(n, {});
    await t.jobs.idle();
  }
}
const outboxOf = async (planId: string) =>
  (
    await t.pool.query(
      `select o.id, o.ref_id, o.customer_id, o.to_address, o.body, o.status, o.policy_outcome, o.template_code, o.template_params, o.provider_message_id, o.delivery_status, o.is_marketing
       from outbox_messages o join followup_tasks ft on ft.tenant_id = o.tenant_id and ft.id = o.ref_id where o.ref_type = 'followup_task' and ft.plan_id = $1 order by o.to_address`,
      [planId],
    )
  ).rows;
const tasksOf = async (planId: string) =>
  (
    await t.pool.query(
      'select id, customer_id, state, attempts, last_outcome from followup_tasks where plan_id = $1 order by customer_id',
      [planId],
    )
  ).rows;
async function taskDetail(id: string): Promise<TTaskDetail> {
  const res = await admin.get(`/api/followup/tasks/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('plan with an automatic SMS', () => {
  it('validates the message: channel must be one of the methods, SMS template placeholders known (400 with paths, nothing written)', async () => {
    const { savedFilterId } = await segment([]);
    const before = await countRows(t, 'select 1 from followup_plans');
    const bad = await manager.post('/api/followup/plans', {
      name: 'x',
      topic: 'care',
      methods: ['sms'],
      targetKind: 'segment',
      savedFilterId,
      startDate: '2026-03-10',
      assignment: 'owner',
      message: { channel: 'sms', template: '您好{客户生日}' },
    });
    expectError(bad, 400, 'VALIDATION_FAILED', ['body.message.template']);
    const noSubject = await manager.post('/api/followup/plans', {
      name: 'x',
      topic: 'care',
      methods: ['email'],
      targetKind: 'segment',
      savedFilterId,
      startDate: '2026-03-10',
      assignment: 'owner',
      message: { channel: 'email', template: '您好' },
    });
    expectError(noSubject, 400, 'VALIDATION_FAILED', ['body.message.subject']);
    const wrongMethod = await manager.post('/api/followup/plans', {
      name: 'x',
      topic: 'care',
      methods: ['phone'],
      targetKind: 'segment',
      savedFilterId,
      startDate: '2026-03-10',
      assignment: 'owner',
      message: smsMessage,
    });
    expectError(wrongMethod, 400, 'VALIDATION_FAILED', ['body.message.channel']);
    expect(await countRows(t, 'select 1 from followup_plans')).toBe(before);
  });

  it('one rendered SMS per customer over a saved filter; rerun queues nothing; an opt-out since generation cancels the task; sent → attempt + done', async () => {
    const { customers, savedFilterId } = await segment(['王建国', '李明', '赵强']);
    const plan = await smsPlan(savedFilterId);
    expect((await manager.get(`/api/followup/plans/${plan.id}`)).json().message).toMatchObject(smsMessage);
    // Activation queued the due tasks at once (the route starts the job; no wait for the 5-minute run).
    await t.jobs.idle();
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['in_progress', 'in_progress', 'in_progress']);
    // 赵强 withdraws consent after the message was queued (opt-out honoured at send time)
    await t.pool.query('update customers set consent_service = false where id = $1', [customers[2]!.id]);

    await runJobs('followup-auto-send');
    const queued = await outboxOf(plan.id);
    expect(queued).toHaveLength(3);
    expect(queued.map((m) => m.body).sort()).toEqual([
      '李先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
      '王先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
      '赵先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
    ]);
    expect(
      queued.every(
        (m) =>
          m.status === 'queued' &&
          m.template_code === 'SMS_4242' &&
          m.is_marketing === false &&
          customers.some((c) => c.id === m.customer_id),
      ),
    ).toBe(true);
    // only the placeholders the template uses, in their order (Tencent's parameters are positional)
    expect(queued.find((m) => m.body.startsWith('王'))!.template_params).toEqual([
      ['客户称呼', '王先生'],
      ['网点名称', '陆家嘴支行'],
    ]);
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['in_progress', 'in_progress', 'in_progress']);

    // rerun: nothing new
    await runJobs('followup-auto-send');
    expect(await outboxOf(plan.id)).toHaveLength(3);

    sent.length = 0;
    await runJobs('outbox-send', 'followup-auto-send', 'outbox-send');
    expect(sent.map((s) => s.text).sort()).toEqual([
      '李先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
      '王先生您好，感谢您到陆家嘴支行办理业务，祝您生活愉快。',
    ]);
    const after = await tasksOf(plan.id);
    const zhao = after.find((x) => x.customer_id === customers[2]!.id)!;
    expect(zhao.state).toBe('cancelled');
    expect(after.filter((x) => x.state === 'done').map((x) => [x.attempts, x.last_outcome])).toEqual([
      [1, 'sent'],
      [1, 'sent'],
    ]);
    expect((await outboxOf(plan.id)).find((m) => m.customer_id === customers[2]!.id)).toMatchObject({
      status: 'cancelled',
      policy_outcome: 'blocked:no_service_consent',
    });

    const done = await taskDetail(after.find((x) => x.state === 'done')!.id);
    expect(done.attemptsList).toMatchObject([{ channel: 'sms', outcome: 'sent', byUserId: null }]);
    expect(done.events.map((e) => e.kind)).toEqual(['completed', 'attempted', 'message_queued', 'created']);
    const cancelled = await taskDetail(zhao.id);
    expect(cancelled.events[0]).toMatchObject({
      kind: 'cancelled',
      toState: 'cancelled',
      data: { reason: 'no_service_consent', channel: 'sms' },
    });
    expect(cancelled.attemptsList).toEqual([]);

    const stats = (await manager.get(`/api/followup/plans/${plan.id}/message-stats`)).json() as TPlanMessageStats;
    expect(stats).toEqual({ queued: 0, sent: 2, delivered: 0, undelivered: 0, blocked: 1, failed: 0 });
    // nothing more on further runs
    sent.length = 0;
    await runJobs('followup-auto-send', 'outbox-send');
    expect(sent).toEqual([]);
    expect(await outboxOf(plan.id)).toHaveLength(3);
  });

  it('a sent message completes the task and, with the plan interval, creates the next follow-up once (as an agent completion does)', async () => {
    const { customers, savedFilterId } = await segment(['钱多多']);
    const plan = await smsPlan(savedFilterId, { nextFollowupDays: 30 });
    await runJobs('followup-auto-send', 'outbox-send');
    const tasks = (
      await t.pool.query(
        `select id, state, due_from, source_task_id, occurrence_key from followup_tasks where plan_id = $1 order by (occurrence_key = 'once') desc`,
        [plan.id],
      )
    ).rows;
    expect(tasks).toHaveLength(2);
    const [first, next] = tasks;
    expect(first).toMatchObject({ state: 'done', occurrence_key: 'once' });
    expect(next).toMatchObject({ state: 'pending', source_task_id: first.id, occurrence_key: `next:${first.id}` });
    // 30 days after 10 March (Shanghai), at the start of the plan's contact hours
    const dueLocal = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(next.due_from);
    expect(dueLocal).toBe('2026-04-09');
    expect((await taskDetail(next.id)).customerId).toBe(customers[0]!.id);
    // reruns create nothing more; a closed plan creates no next task (the next one stays for the record, unsent)
    await runJobs('followup-auto-send', 'outbox-send');
    expect(await countRows(t, `select 1 from followup_tasks where plan_id = '${plan.id}'`)).toBe(2);
    expect((await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'closed' })).statusCode).toBe(200);
  });

  it('queues only inside the plan contact hours: a task that fell due while the job was down waits for the next window', async () => {
    const { savedFilterId } = await segment(['孔令辉']);
    // Hours 10–18, due from tomorrow (11 March, 10:00 Shanghai).
    const plan = await smsPlan(savedFilterId, { startDate: '2026-03-11', contactFromHour: 10, contactToHour: 18 });
    await t.jobs.idle();
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['pending']);
    // The job next runs at 19:30 on the 11th (it was down all day): past the plan's hours, although the tenant's
    // quiet hours (21–9) would still allow a message.
    await travel('2026-03-11T11:30:00Z');
    await runJobs('followup-auto-send');
    expect(await outboxOf(plan.id)).toEqual([]);
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['pending']);
    // 12 March 10:05: queued and sent.
    await travel('2026-03-12T02:05:00Z');
    await runJobs('followup-auto-send', 'outbox-send');
    expect((await outboxOf(plan.id)).map((m) => m.status)).toEqual(['sent']);
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['done']);
    await travel(NOW);
  });

  it('provider template parameters keep the order of the template (Tencent TemplateParamSet is positional; jsonb would sort the keys)', async () => {
    const [c] = (await segment(['陈默'])).customers;
    await enqueueSms(t.db, t.clock.now(), [
      {
        tenantId: t.tenantId,
        customerId: c!.id,
        to: '13912349999',
        template: '{网点名称}：{客户称呼}您好',
        values: { 客户称呼: '陈先生', 网点名称: '陆家嘴支行', 礼品: '伞' },
        templateCode: 'T1',
      },
    ]);
    sent.length = 0;
    await runJobs('outbox-send');
    const req = sent.find((r) => r.to === '13912349999')!;
    expect(Object.entries(req.params ?? {})).toEqual([
      ['网点名称', '陆家嘴支行'],
      ['客户称呼', '陈先生'],
    ]);
  });

  it('renders every placeholder like the workbench: salutation, latest service date and type, assignee, plan, outlet, gift', async () => {
    const { customers, savedFilterId } = await segment(['欧阳娜娜'], { gender: 'female' });
    const types = (await admin.get('/api/service-types')).json() as
      { id: string; name: string }[] | { items: { id: string; name: string }[] };
    const type = (Array.isArray(types) ? types : types.items)[0]!;
    for (const occurredAt of ['2026-02-01T03:00:00Z', '2026-03-08T17:30:00Z']) {
      const sr = await admin.post(`/api/customers/${customers[0]!.id}/service-records`, {
        serviceTypeId: type.id,
        occurredAt,
      });
      expect(sr.statusCode, sr.body).toBe(201);
    }
    const template = '{客户姓名}/{客户称呼}/{服务日期}/{服务类型}/{坐席姓名}/{计划名称}/{网点名称}/{礼品}/{未知}';
    const plan = await smsPlan(savedFilterId, {
      name: '全部占位符',
      giftName: '定制雨伞',
      message: { channel: 'sms', template: template.replace('/{未知}', '') },
    });
    await runJobs('followup-auto-send');
    const [m] = await outboxOf(plan.id);
    const liu = (await t.pool.query('select display_name from users where id = $1', [liuId])).rows[0]
      .display_name as string;
    // 17:30Z on 8 March is 01:30 on 9 March in Shanghai
    expect(m!.body).toBe(`欧阳娜娜/欧女士/2026-03-09/${type.name}/${liu}/全部占位符/陆家嘴支行/定制雨伞`);
    expect((m!.template_params as [string, string][]).map(([k]) => k)).toEqual([
      '客户姓名',
      '客户称呼',
      '服务日期',
      '服务类型',
      '坐席姓名',
      '计划名称',
      '网点名称',
      '礼品',
    ]);
    await runJobs('outbox-send'); // leave nothing queued for the next test
  });

  it('a plan worked by phone stays manual: no message is queued', async () => {
    const { savedFilterId } = await segment(['孙丽']);
    const plan = await smsPlan(savedFilterId, { methods: ['phone'], message: null });
    await runJobs('followup-auto-send');
    expect(await outboxOf(plan.id)).toEqual([]);
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['pending']);
  });

  it('closing the plan after its messages were queued cancels them at send time: nothing goes out', async () => {
    const { savedFilterId } = await segment(['郑和']);
    const plan = await smsPlan(savedFilterId);
    await runJobs('followup-auto-send');
    expect((await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'closed' })).statusCode).toBe(200);
    sent.length = 0;
    await runJobs('outbox-send');
    expect(sent).toEqual([]);
    expect(await outboxOf(plan.id)).toMatchObject([{ status: 'cancelled' }]);
    expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['cancelled']);
  });

  it('tenant quiet hours hold in the sender even when the plan hours are wider: queued at 22:00, deferred (task stays in progress), sent at 09:00', async () => {
    await travel('2026-03-10T14:00:00Z'); // 22:00 Shanghai
    try {
      const { savedFilterId } = await segment(['周杰']);
      const plan = await smsPlan(savedFilterId, { contactFromHour: 8, contactToHour: 23 });
      sent.length = 0;
      await runJobs('followup-auto-send', 'outbox-send');
      expect(sent).toEqual([]);
      expect(await outboxOf(plan.id)).toMatchObject([{ status: 'queued', policy_outcome: 'deferred:quiet_hours' }]);
      expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['in_progress']);
      t.clock.set('2026-03-11T01:00:00Z'); // 09:00 Shanghai
      await runJobs('outbox-send');
      expect(sent).toHaveLength(1);
      expect((await tasksOf(plan.id)).map((x) => x.state)).toEqual(['done']);
    } finally {
      await travel(NOW);
    }
  });

  it('provider failures: after the outbox gives up, a send_failed attempt and a retry after the plan retry hours; then failed after max attempts', async () => {
    const { savedFilterId } = await segment(['吴磊']);
    const plan = await smsPlan(savedFilterId, { maxAttempts: 2, retryHours: 4 });
    failing = true;
    try {
      await runJobs('followup-auto-send');
      // the outbox retries 5 times with backoff (2, 4, 8, 16 min), then fails the message
      for (let i = 0; i < 5; i++) {
        await runJobs('outbox-send');
        t.clock.advance(20 * 60_000);
      }
      let [task] = await tasksOf(plan.id);
      expect(task).toMatchObject({ state: 'pending', attempts: 1, last_outcome: 'send_failed' });
      // retry policy: a second message only after 4 hours
      await runJobs('followup-auto-send');
      expect(await outboxOf(plan.id)).toHaveLength(1);
      t.clock.advance(4 * 3_600_000);
      await runJobs('followup-auto-send');
      expect((await outboxOf(plan.id)).map((m) => m.status).sort()).toEqual(['failed', 'queued']);
      for (let i = 0; i < 5; i++) {
        await runJobs('outbox-send');
        t.clock.advance(20 * 60_000);
      }
      [task] = await tasksOf(plan.id);
      expect(task).toMatchObject({ state: 'failed', attempts: 2, last_outcome: 'send_failed' });
      await travel(t.clock.now().toISOString()); // the session idled out while the clock moved
      const detail = await taskDetail(task.id);
      expect(detail.attemptsList.map((a) => a.outcome)).toEqual(['send_failed', 'send_failed']);
      expect(detail.events[0]).toMatchObject({ kind: 'failed', data: { reason: 'max_attempts' } });
    } finally {
      failing = false;
      await travel(NOW);
    }
  });
});

describe('delivery receipts (provider webhooks)', () => {
  let token: string;
  let aliyunUrl: string;
  let tencentUrl: string;
  beforeAll(async () => {
    const res = await admin.post('/api/settings/sms/receipt-token', {});
    expect(res.statusCode, res.body).toBe(200);
    ({ token, aliyunUrl, tencentUrl } = res.json());
    expect(aliyunUrl).toMatch(new RegExp(`/api/public/sms-receipts/aliyun/${token}$`));
    // shown once: the settings only say that one is set
    const settings = (await admin.get('/api/settings/sms')).json();
    expect(settings.receiptTokenSet).toBe(true);
    expect(JSON.stringify(settings)).not.toContain(token);
    // and the database holds only its SHA-256: a copy of it cannot be used to push forged receipts
    const stored = (
      await t.pool.query(`select receipt_token_hash as h from sms_settings where tenant_id = $1`, [t.tenantId])
    ).rows[0].h;
    expect(stored).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(
      (await t.pool.query(`select count(*)::int as n from sms_settings where receipt_token_hash = $1`, [token])).rows[0]
        .n,
    ).toBe(0);
  });
  const path = (u: string) => new URL(u).pathname;

  async function sentPlan(names: string[]) {
    const { savedFilterId } = await segment(names);
    const plan = await smsPlan(savedFilterId);
    await runJobs('followup-auto-send', 'outbox-send');
    const rows = await outboxOf(plan.id);
    expect(rows.map((r) => r.status)).toEqual(names.map(() => 'sent'));
    return { plan, rows };
  }

  it('Aliyun SmsReport: delivered / undelivered by BizId, repeated receipt changes nothing, unknown ids counted; shown on the outbox page and the task history', async () => {
    const { plan, rows } = await sentPlan(['钱一', '钱二']);
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const body = [
      {
        phone_number: '13912340000',
        send_time: '2026-03-10 10:00:01',
        report_time: '2026-03-10 10:00:05',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: a.provider_message_id,
        out_id: '',
      },
      {
        phone_number: '13912340001',
        send_time: '2026-03-10 10:00:01',
        report_time: '2026-03-10 10:00:09',
        success: false,
        err_code: 'MK:0001',
        err_msg: '空号',
        sms_size: '1',
        biz_id: b.provider_message_id,
        out_id: '',
      },
      {
        phone_number: '13900000000',
        send_time: '2026-03-10 10:00:01',
        report_time: '2026-03-10 10:00:09',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '',
        sms_size: '1',
        biz_id: 'someone-else^0',
        out_id: '',
      },
    ];
    const res = await t.app.inject({ method: 'POST', url: path(aliyunUrl), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ code: 0, msg: '成功', counts: { updated: 2, unchanged: 0, unknown: 1 } });
    const after = await outboxOf(plan.id);
    expect(after.map((r) => [r.status, r.delivery_status])).toEqual([
      ['sent', 'delivered'],
      ['sent', 'undelivered'],
    ]);
    const again = await t.app.inject({ method: 'POST', url: path(aliyunUrl), payload: body });
    expect(again.json().counts).toEqual({ updated: 0, unchanged: 2, unknown: 1 });
    expect(
      await countRows(t, `select 1 from followup_task_events where task_id = $1 and kind = 'message_delivery'`, [
        a.ref_id,
      ]),
    ).toBe(1);

    const page = (await admin.get('/api/outbox?channel=sms&pageSize=100')).json().items as TOutboxMessage[];
    expect(page.find((m) => m.id === a.id)).toMatchObject({
      status: 'sent',
      deliveryStatus: 'delivered',
      deliveredAt: '2026-03-10T02:00:05.000Z',
      deliveryError: 'DELIVERED 用户接收成功',
    });
    expect(page.find((m) => m.id === b.id)).toMatchObject({
      deliveryStatus: 'undelivered',
      deliveryError: 'MK:0001 空号',
    });
    const history = await taskDetail(b.ref_id);
    expect(history.events[0]).toMatchObject({
      kind: 'message_delivery',
      data: { status: 'undelivered', detail: 'MK:0001 空号' },
    });
    expect((await manager.get(`/api/followup/plans/${plan.id}/message-stats`)).json()).toMatchObject({
      sent: 0,
      delivered: 1,
      undelivered: 1,
    });
  });

  it('Tencent callback: SUCCESS / FAIL by SerialNo (sid), repeated push changes nothing', async () => {
    const { plan, rows } = await sentPlan(['孔一', '孔二']);
    const body = [
      {
        user_receive_time: '2026-03-10 10:01:00',
        nationcode: '86',
        mobile: '13912340000',
        report_status: 'SUCCESS',
        errmsg: 'DELIVRD',
        description: '用户短信送达成功',
        sid: rows[0]!.provider_message_id,
      },
      {
        user_receive_time: '2026-03-10 10:01:00',
        nationcode: '86',
        mobile: '13912340001',
        report_status: 'FAIL',
        errmsg: 'UNDELIV',
        description: '用户短信未送达',
        sid: rows[1]!.provider_message_id,
      },
    ];
    const res = await t.app.inject({ method: 'POST', url: path(tencentUrl), payload: body });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 0, errmsg: 'OK', counts: { updated: 2, unchanged: 0, unknown: 0 } });
    expect((await outboxOf(plan.id)).map((r) => r.delivery_status)).toEqual(['delivered', 'undelivered']);
    expect((await t.app.inject({ method: 'POST', url: path(tencentUrl), payload: body })).json().counts).toEqual({
      updated: 0,
      unchanged: 2,
      unknown: 0,
    });
  });

  it('a wrong token is 404, a malformed body 400 with the field path; nothing is written', async () => {
    const { plan, rows } = await sentPlan(['冯一']);
    const good = [
      {
        biz_id: rows[0]!.provider_message_id,
        success: true,
        err_code: 'DELIVERED',
        report_time: '2026-03-10 10:00:05',
      },
    ];
    expectError(
      await t.app.inject({ method: 'POST', url: `/api/public/sms-receipts/aliyun/${'x'.repeat(32)}`, payload: good }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await t.app.inject({ method: 'POST', url: `/api/public/sms-receipts/tencent/${'y'.repeat(32)}`, payload: [] }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await t.app.inject({
        method: 'POST',
        url: path(aliyunUrl),
        payload: [{ biz_id: rows[0]!.provider_message_id, success: 'yes' }],
      }),
      400,
      'VALIDATION_FAILED',
      ['body.0.success'],
    );
    expectError(
      await t.app.inject({ method: 'POST', url: path(tencentUrl), payload: { sid: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await t.app.inject({
        method: 'POST',
        url: path(tencentUrl),
        payload: [{ sid: rows[0]!.provider_message_id, report_status: 'MAYBE' }],
      }),
      400,
      'VALIDATION_FAILED',
      ['body.0.report_status'],
    );
    expect((await outboxOf(plan.id)).map((r) => r.delivery_status)).toEqual([null]);
    // rotating the token retires the old URL
    const rotated = (await admin.post('/api/settings/sms/receipt-token', {})).json();
    expectError(await t.app.inject({ method: 'POST', url: path(aliyunUrl), payload: good }), 404, 'NOT_FOUND');
    expect((await t.app.inject({ method: 'POST', url: path(rotated.aliyunUrl), payload: good })).json().counts).toEqual(
      { updated: 1, unchanged: 0, unknown: 0 },
    );
    aliyunUrl = rotated.aliyunUrl;
    tencentUrl = rotated.tencentUrl;
  });
});

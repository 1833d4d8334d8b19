/**
 * Automatic plan messages (issue 5): a plan with an automatic SMS over N customers (default 100,000).
 * Measures, on the bundled Postgres with the demo tenant:
 * - queueing: the followup-auto-send job moving N due tasks to in_progress with one rendered outbox message each
 *   (batches of 500: lock skip-locked, render, INSERT … ON CONFLICT DO NOTHING, one UPDATE + event INSERT) → tasks/s;
 *   the rerun (nothing due) and the idle run with N other open tasks of a phone plan present (the every-5-minutes cost);
 * - sending: the outbox SMS sender (contact policy, sent + contact event, outcome hook: attempt + task done) with a
 *   provider that answers after BENCH_SMS_LATENCY_MS (default 50, an HTTP API's round trip), BENCH_SEND_SAMPLE messages
 *   one at a time and as many again SEND_CONCURRENCY at once → messages/s of both and their ratio;
 * - receipts: Aliyun-style pushes of 500 reports through applyReceipts → receipts/s, and the same pushes again
 *   (all unchanged).
 * Baseline in the same run: the queueing done one task at a time from Node (per task one transaction: lock the task,
 * render, INSERT the message, UPDATE the task, INSERT the event), on a sample of BASELINE_SAMPLE tasks of a third
 * plan, extrapolated to tasks/s. JSON output with both and the ratio.
 */
import { createFixedClock } from '../apps/server/src/lib/clock.ts';
import { runAutoSends } from '../apps/server/src/modules/followup/auto-send/auto-send.ts';
import { autoSendGuard, autoSendOutcome } from '../apps/server/src/modules/followup/auto-send/auto-send.ts';
import { generateTasks, type TPlanRow } from '../apps/server/src/modules/followup/rules/generate.ts';
import { genContext } from '../apps/server/src/modules/followup/plans/plans.service.ts';
import { SEND_CONCURRENCY, sendDueSms } from '../apps/server/src/modules/messaging/outbox.sender.ts';
import { enqueueMessages } from '../apps/server/src/modules/messaging/outbox.repository.ts';
import { renderScript, salutation } from '../apps/server/src/modules/policy/script.ts';
import { sql } from 'drizzle-orm';
import { applyReceipts } from '../apps/server/src/modules/messaging/receipts.service.ts';
import { logSmsProvider } from '../apps/server/src/modules/messaging/sms/provider.ts';
import { benchApp } from './_support.ts';

const N = Number(process.env.BENCH_TASKS ?? 100_000);
const SEND_SAMPLE = Number(process.env.BENCH_SEND_SAMPLE ?? 1_000);
const BASELINE_SAMPLE = Number(process.env.BENCH_BASELINE_SAMPLE ?? 2_000);
const t = await benchApp();
const { rows: outlets } = await t.pool.query(
  `select id from org_units where tenant_id = $1 and type = 'outlet' order by code`,
  [t.tenantId],
);
const { rows: roots } = await t.pool.query(`select id from org_units where tenant_id = $1 and parent_id is null`, [
  t.tenantId,
]);
const { rows: admins } = await t.pool.query(`select id from users where tenant_id = $1 and username = 'admin'`, [
  t.tenantId,
]);
await t.pool.query(
  `insert into customers (tenant_id, kind, name, gender, phones, phone_digits, unit_id, tier, consent_service, created_at, updated_at)
   select $1, 'individual', '客户' || g, case when g % 2 = 0 then 'male' else 'female' end, array['139' || lpad(g::text, 8, '0')], '139' || lpad(g::text, 8, '0'),
          ($2::uuid[])[1 + g % ${outlets.length}], '普通', true, now(), now()
     from generate_series(1, $3) g`,
  [t.tenantId, outlets.map((o) => o.id), N],
);
await t.pool.query('vacuum analyze customers');

const clock = createFixedClock('2026-04-15T02:00:00Z'); // 10:00 Shanghai
const db = t.app.deps.db;
const mkPlan = async (name: string, method: string): Promise<TPlanRow> => {
  const { rows } = await t.pool.query(
    `insert into followup_plans (tenant_id, unit_id, name, topic, methods, target_kind, start_date, assignment, assign_unit_id, status, created_by, created_at, updated_at)
     values ($1, $2, $3, 'care', $4, 'list', '2026-04-15', 'owner', $2, 'active', $5, now(), now()) returning *`,
    [t.tenantId, roots[0].id, name, `{${method}}`, admins[0].id],
  );
  const r = rows[0];
  return {
    ...r,
    tenantId: r.tenant_id,
    unitId: r.unit_id,
    targetKind: 'segment',
    savedFilterId: null,
    customerIds: [],
    startDate: '2026-04-15',
    dueDays: 7,
    assignment: 'owner',
    assignUnitId: r.assign_unit_id,
    assigneeId: null,
    maxAttempts: 3,
    retryHours: 4,
    contactFromHour: 9,
    contactToHour: 21,
    minGapDays: 7,
    nextFollowupDays: null,
    createdBy: r.created_by,
    surveyId: null,
    budgetFen: null,
    giftName: null,
    giftFen: null,
    activatedAt: null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    rule: null,
    topic: 'care',
    status: 'active',
    methods: [method],
    script: '',
  } as TPlanRow;
};
const ctx = await genContext({ db, clock }, t.tenantId, null);
// N open tasks of a phone plan (worked by agents): the auto-send job must not pay much for them.
const phone = await mkPlan('bench phone', 'phone');
await db.transaction((tx) => generateTasks(tx, phone, ctx));
const sms = await mkPlan('bench sms', 'sms');
await t.pool.query(
  `insert into followup_plan_messages (tenant_id, plan_id, channel, template, template_code, updated_at) values ($1, $2, 'sms', '{客户称呼}您好，感谢您到{网点名称}办理业务。', 'SMS_1', now())`,
  [t.tenantId, sms.id],
);
const created = await db.transaction((tx) => generateTasks(tx, sms, ctx));
await t.pool.query('vacuum analyze followup_tasks');

const q0 = performance.now();
const queued = await runAutoSends({ db, clock });
const queueSeconds = (performance.now() - q0) / 1000;
const r0 = performance.now();
const rerun = await runAutoSends({ db, clock });
const rerunMs = performance.now() - r0;

// Baseline: the same queueing one task at a time (a third plan over a sample of the customers).
const base = await mkPlan('bench baseline', 'sms');
const sampleIds = (
  await t.pool.query(`select id from customers where tenant_id = $1 and name like '客户%' order by id limit $2`, [
    t.tenantId,
    BASELINE_SAMPLE,
  ])
).rows.map((r) => r.id as string);
await db.transaction((tx) => generateTasks(tx, { ...base, targetKind: 'list', customerIds: sampleIds }, ctx));
const baseTasks = (await t.pool.query(`select id from followup_tasks where plan_id = $1`, [base.id])).rows.map(
  (r) => r.id as string,
);
const b0 = performance.now();
for (const id of baseTasks) {
  await db.transaction(async (tx) => {
    const [r] = (
      await tx.execute<{
        id: string;
        unit_id: string;
        customer_id: string;
        name: string;
        gender: string | null;
        phone: string;
        unit_name: string;
      }>(sql`
        select t.id, t.unit_id, t.customer_id, c.name, c.gender, c.phones[1] as phone, ou.name as unit_name
        from followup_tasks t join customers c on c.id = t.customer_id join org_units ou on ou.id = t.unit_id
        where t.tenant_id = ${t.tenantId} and t.id = ${id} and t.state = 'pending' for update of t`)
    ).rows;
    if (!r) return;
    const body = renderScript('{客户称呼}您好，感谢您到{网点名称}办理业务。', {
      客户称呼: salutation(r.name, r.gender),
      网点名称: r.unit_name,
    });
    const [mid] = await enqueueMessages(tx, clock.now(), [
      {
        tenantId: t.tenantId,
        unitId: r.unit_id,
        channel: 'sms',
        to: r.phone,
        body,
        refType: 'followup_task_baseline',
        refId: r.id,
        customerId: r.customer_id,
      },
    ]);
    await tx.execute(
      sql`update followup_tasks set state = 'in_progress', updated_at = ${clock.now()} where tenant_id = ${t.tenantId} and id = ${id}`,
    );
    await tx.execute(
      sql`insert into followup_task_events (tenant_id, task_id, kind, at, from_state, to_state, data) values (${t.tenantId}, ${id}, 'message_queued', ${clock.now()}, 'pending', 'in_progress', ${JSON.stringify({ outboxId: mid })}::jsonb)`,
    );
  });
}
const baseSeconds = (performance.now() - b0) / 1000;
await t.pool.query(`delete from outbox_messages where ref_type = 'followup_task_baseline'`);

// Sending: the real sender and outcome hook, with a provider that answers after SMS_LATENCY_MS like an HTTP API
// (log provider behind it). The same number of messages one at a time (concurrency 1) and SEND_CONCURRENCY at once.
const SMS_LATENCY_MS = Number(process.env.BENCH_SMS_LATENCY_MS ?? 50);
const slowLog = () => {
  const log = logSmsProvider();
  return {
    name: 'bench',
    send: async (req: Parameters<typeof log.send>[0]) => (
      await new Promise((r) => setTimeout(r, SMS_LATENCY_MS)),
      log.send(req)
    ),
  };
};
const sendDeps = {
  db,
  clock,
  mail: undefined,
  sms: slowLog,
  guards: { followup_task: autoSendGuard },
  outcomes: { followup_task: autoSendOutcome },
};
const sendRun = async (concurrency: number) => {
  // Release the next SEND_SAMPLE queued messages, hold back the rest.
  await t.pool.query(
    `update outbox_messages set send_after = '2030-01-01' where status = 'queued' and ref_type = 'followup_task'`,
  );
  await t.pool.query(
    `update outbox_messages set send_after = $2 where id in (select id from outbox_messages where status = 'queued' and ref_type = 'followup_task' order by id limit $1)`,
    [SEND_SAMPLE, clock.now()],
  );
  const s0 = performance.now();
  const r = await sendDueSms({ ...sendDeps, concurrency });
  const seconds = (performance.now() - s0) / 1000;
  return {
    concurrency,
    sent: r.sent,
    seconds: Number(seconds.toFixed(2)),
    messagesPerSecond: Math.round(r.sent / seconds),
  };
};
const sendOneByOne = await sendRun(1);
const sendConcurrent = await sendRun(SEND_CONCURRENCY);
const done = Number(
  (await t.pool.query(`select count(*)::int as n from followup_tasks where plan_id = $1 and state = 'done'`, [sms.id]))
    .rows[0].n,
);

// Receipts for the sent sample, pushes of 500.
const ids = (
  await t.pool.query(
    `select provider_message_id from outbox_messages where status = 'sent' and provider_message_id is not null`,
  )
).rows.map((r) => r.provider_message_id as string);
const pushes: string[][] = [];
for (let i = 0; i < ids.length; i += 500) pushes.push(ids.slice(i, i + 500));
const push = async () => {
  let updated = 0;
  let unchanged = 0;
  for (const p of pushes) {
    const r = await applyReceipts(
      db,
      t.tenantId,
      p.map((id, j) => ({
        providerMessageId: id,
        delivered: j % 20 !== 0,
        at: clock.now(),
        detail: j % 20 !== 0 ? 'DELIVERED 用户接收成功' : 'MK:0001 空号',
      })),
      clock.now(),
    );
    updated += r.updated;
    unchanged += r.unchanged;
  }
  return { updated, unchanged };
};
const p0 = performance.now();
const first = await push();
const receiptSeconds = (performance.now() - p0) / 1000;
const p1 = performance.now();
const again = await push();
const repeatSeconds = (performance.now() - p1) / 1000;

console.log(
  JSON.stringify(
    {
      tasks: created,
      otherOpenTasks: N,
      baselineOneByOne: {
        tasks: baseTasks.length,
        seconds: Number(baseSeconds.toFixed(2)),
        tasksPerSecond: Math.round(baseTasks.length / baseSeconds),
      },
      ratio: Number((queued.queued / queueSeconds / (baseTasks.length / baseSeconds)).toFixed(1)),
      queue: {
        queued: queued.queued,
        seconds: Number(queueSeconds.toFixed(2)),
        tasksPerSecond: Math.round(queued.queued / queueSeconds),
        rerunQueued: rerun.queued,
        rerunMs: Number(rerunMs.toFixed(1)),
      },
      send: {
        providerLatencyMs: SMS_LATENCY_MS,
        oneByOne: sendOneByOne,
        concurrent: sendConcurrent,
        ratio: Number((sendConcurrent.messagesPerSecond / sendOneByOne.messagesPerSecond).toFixed(1)),
        tasksDone: done,
      },
      receipts: {
        pushes: pushes.length,
        ...first,
        seconds: Number(receiptSeconds.toFixed(2)),
        receiptsPerSecond: Math.round(first.updated / receiptSeconds),
        repeat: { ...again, seconds: Number(repeatSeconds.toFixed(2)) },
      },
    },
    null,
    2,
  ),
);
await t.close();

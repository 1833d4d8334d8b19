import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { sendDueSms } from '../messaging/outbox.sender.ts';
import { alertNegativeEvaluation } from './evaluation-alerts.ts';

let t: TTestApp;
let zhang: TClient;
let chen: TClient;
let admin: TClient;

beforeAll(async () => {
  t = await createTestApp();
  [zhang, chen, admin] = (await Promise.all(['zhang.manager', 'chen.teller', 'admin'].map((u) => t.login(u)))) as [
    TClient,
    TClient,
    TClient,
  ];
});
afterAll(async () => t.close());

async function pairKiosk(counterCode: string) {
  const counterId = await unitIdByCode(t, counterCode);
  const pc = await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: `平板 ${counterCode}` });
  expect(pc.statusCode, pc.body).toBe(200);
  const res = await t.app.inject({ method: 'POST', url: '/api/kiosk/pair', payload: { code: pc.json().code } });
  expect(res.statusCode, res.body).toBe(200);
  return { token: res.json().token as string, counterId };
}

/** Serve at the counter, end, and press a key on the kiosk 3 s after the prompt. */
async function serveAndPress(k: { token: string; counterId: string }, key: number, teller = chen) {
  const start = await teller.post('/api/counter/sessions', { counterId: k.counterId, businessType: '个人存取款' });
  expect(start.statusCode, start.body).toBe(200);
  const end = await teller.post(`/api/counter/sessions/${start.json().id}/end`);
  expect(end.statusCode, end.body).toBe(200);
  const shown = t.clock.now();
  t.clock.advance(3000);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/kiosk/device/ratings',
    headers: { authorization: `Bearer ${k.token}`, 'idempotency-key': crypto.randomUUID() },
    payload: {
      sessionId: start.json().id,
      key,
      shownAt: new Date(shown.getTime() + 1000).toISOString(),
      pressedAt: new Date(shown.getTime() + 3000).toISOString(),
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { evaluationId: string; score: number; label: string };
}

const smsOf = async (evaluationId: string) =>
  (
    await t.pool.query<{ to_address: string; body: string; status: string; unit_id: string; template_params: unknown }>(
      `select to_address, body, status, unit_id, template_params from outbox_messages
       where tenant_id = $1 and channel = 'sms' and ref_type = 'evaluation_unsatisfied' and ref_id = $2`,
      [t.tenantId, evaluationId],
    )
  ).rows;

describe('不满意 → an SMS to the outlet head at once', () => {
  it('one SMS per 不满意 to the nearest manager with a mobile; a replayed event and a replayed handler queue nothing more', async () => {
    const zhangId = await userIdByName(t, 'zhang.manager');
    await t.pool.query('update users set phone = $1 where id = $2', ['13912345678', zhangId]);
    const k = await pairKiosk('SH-LJZ-W1');

    const bad = await serveAndPress(k, 4);
    expect(bad).toMatchObject({ score: 1, label: '不满意' });
    expect(await smsOf(bad.evaluationId)).toHaveLength(0); // the consumer's work, not the press's
    await t.runEvaluationEvents();
    await t.runEvaluationEvents();
    const rows = await smsOf(bad.evaluationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      to_address: '13912345678',
      status: 'queued',
      unit_id: await unitIdByCode(t, 'SH-LJZ'),
    });
    expect(rows[0]!.body).toMatch(
      /^【不满意提醒】陆家嘴支行1号窗口陈静（T3001）的服务于\d\d-\d\d \d\d:\d\d收到“不满意”评价/,
    );
    expect(Object.fromEntries(rows[0]!.template_params as [string, string][])).toMatchObject({
      网点: '陆家嘴支行',
      窗口: '1号窗口',
      评价: '不满意',
    });

    // The handler run again for the same evaluation (a lost marker, a retried batch): still one SMS.
    const ev = (
      await t.pool.query<{ unit_id: string; counter_id: string; staff_id: string; occurred_at: Date }>(
        'select unit_id, counter_id, staff_id, occurred_at from evaluations where id = $1',
        [bad.evaluationId],
      )
    ).rows[0]!;
    await t.db.transaction((tx) =>
      alertNegativeEvaluation(tx, {
        tenantId: t.tenantId,
        evaluationId: bad.evaluationId,
        channel: 'kiosk',
        unitId: ev.unit_id,
        counterId: ev.counter_id,
        staffId: ev.staff_id,
        score: 1,
        ratingLabel: '不满意',
        at: ev.occurred_at,
      }),
    );
    expect(await smsOf(bad.evaluationId)).toHaveLength(1);

    // No SMS provider configured (the tenant has no sms_settings): the sender's log provider takes it, like every SMS.
    await sendDueSms({ db: t.db, clock: t.clock, mail: undefined });
    const sent = await t.pool.query<{ status: string; provider_message_id: string }>(
      `select status, provider_message_id from outbox_messages where ref_type = 'evaluation_unsatisfied' and ref_id = $1`,
      [bad.evaluationId],
    );
    expect(sent.rows[0]).toMatchObject({ status: 'sent', provider_message_id: expect.stringMatching(/^log-/) });

    // A satisfied press sends nothing.
    const good = await serveAndPress(k, 1);
    await t.runEvaluationEvents();
    expect(await smsOf(good.evaluationId)).toHaveLength(0);
  });

  it("the outlet's own manager is the head (not the branch's); a head without a mobile gets no SMS", async () => {
    const head = await createUser(t, admin, { unitCode: 'SH-XJH', roleKeys: ['manager'], displayName: '徐家汇负责人' });
    await t.pool.query('update users set phone = $1 where id = $2', ['13700001111', head.id]);
    await t.pool.query('update users set phone = $1 where id = $2', [
      '13912345678',
      await userIdByName(t, 'zhang.manager'),
    ]);
    const xjh = await pairKiosk('SH-XJH-W1');
    const teller03 = await t.login('teller03');
    const bad = await serveAndPress(xjh, 4, teller03);
    await t.runEvaluationEvents();
    expect((await smsOf(bad.evaluationId)).map((r) => r.to_address)).toEqual(['13700001111']);

    // Without a mobile (a landline is no SMS address) the head still gets the in-app notice, and no SMS is queued.
    await t.pool.query('update users set phone = $1 where id = $2', ['021-12345678', head.id]);
    const bad2 = await serveAndPress(xjh, 4, teller03);
    await t.runEvaluationEvents();
    expect(await smsOf(bad2.evaluationId)).toHaveLength(0);
    const notices = await t.pool.query(
      `select 1 from notifications where user_id = $1 and kind = 'evaluation.unsatisfied' and link like $2`,
      [head.id, `%${bad2.evaluationId}`],
    );
    expect(notices.rowCount).toBe(1);
  });
});

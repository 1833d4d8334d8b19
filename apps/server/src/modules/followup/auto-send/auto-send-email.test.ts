import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFollowupPlan, TTaskDetail } from '@huifang/shared';
import { createCustomer, letters } from '../../../../test/customers-helpers.ts';
import { userIdByName } from '../../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../../test/test-app.ts';

/** A real SMTP server: every accepted message lands here (envelope recipients + raw text). */
const mails: { to: string[]; raw: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    let raw = '';
    stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
      cb();
    });
  },
});

let t: TTestApp;
let admin: TClient;
let manager: TClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_BASE_URL: 'https://hf.example.cn' } });
  t.clock.set('2026-03-10T02:00:00Z'); // 10:00 Shanghai
  [admin, manager] = await Promise.all([t.login('admin'), t.login('zhang.manager')]);
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function runJobs(...names: string[]) {
  for (const n of names) {
    await t.jobs.send(n, {});
    await t.jobs.idle();
  }
}

describe('plan with an automatic e-mail, through real SMTP', () => {
  it('one e-mail per customer with the rendered subject and text; a customer without an address fails the task; rerun sends nothing', async () => {
    const tag = `mail${letters(6)}`;
    const a = await createCustomer(t, admin, 'SH-LJZ', {
      name: '林静',
      gender: 'female',
      tags: [tag],
      email: `lin.${tag}@example.cn`,
    });
    const noMail = await createCustomer(t, admin, 'SH-LJZ', { name: '何平', tags: [tag] });
    const f = await manager.post('/api/saved-filters', { name: tag, filter: { tags: tag } });
    const res = await manager.post('/api/followup/plans', {
      name: `邮件回访-${tag}`,
      topic: 'satisfaction',
      methods: ['email'],
      targetKind: 'segment',
      savedFilterId: f.json().id,
      startDate: '2026-03-10',
      assignment: 'fixed',
      assigneeId: await userIdByName(t, 'liu.agent'),
      message: {
        channel: 'email',
        subject: '{客户称呼}，感谢您选择{网点名称}',
        template: '{客户称呼}您好：\n感谢您近期到{网点名称}办理业务。',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as TFollowupPlan;
    expect((await manager.post(`/api/followup/plans/${plan.id}/status`, { status: 'active' })).statusCode).toBe(200);

    mails.length = 0;
    await runJobs('followup-auto-send', 'outbox-send', 'followup-auto-send', 'outbox-send');
    expect(mails.map((m) => m.to)).toEqual([[`lin.${tag}@example.cn`]]);
    const raw = mails[0]!.raw;
    expect(raw).toMatch(/Subject: =\?UTF-8\?/); // encoded Chinese subject
    expect(Buffer.from(raw).toString('utf8')).toMatch(/Message-ID: <[0-9a-f-]+@huifang>/);

    const tasks = (
      await t.pool.query('select id, customer_id, state, last_outcome from followup_tasks where plan_id = $1', [
        plan.id,
      ])
    ).rows;
    expect(tasks.find((x) => x.customer_id === a.id)).toMatchObject({ state: 'done', last_outcome: 'sent' });
    const failed = tasks.find((x) => x.customer_id === noMail.id)!;
    expect(failed.state).toBe('failed');
    const detail = (
      await admin.get(`/api/followup/tasks/${tasks.find((x) => x.customer_id === a.id)!.id}`)
    ).json() as TTaskDetail;
    expect(detail.attemptsList).toMatchObject([{ channel: 'email', outcome: 'sent' }]);
    const out = (
      await t.pool.query(
        "select subject, body, customer_id from outbox_messages where ref_type = 'followup_task' and ref_id = $1",
        [detail.id],
      )
    ).rows;
    expect(out).toEqual([
      {
        subject: '林女士，感谢您选择陆家嘴支行',
        body: '林女士您好：\n感谢您近期到陆家嘴支行办理业务。',
        customer_id: a.id,
      },
    ]);
    const failedDetail = (await admin.get(`/api/followup/tasks/${failed.id}`)).json() as TTaskDetail;
    expect(failedDetail.events[0]).toMatchObject({ kind: 'failed', data: { reason: 'no_email' } });

    mails.length = 0;
    await runJobs('followup-auto-send', 'outbox-send');
    expect(mails).toEqual([]);
  });
});

describe('survey invitations pass the contact policy', () => {
  it('an invitation to a customer who opted out is blocked, not sent; one to a customer who did not is sent', async () => {
    const created = await admin.post('/api/surveys', {
      definition: {
        title: '网点满意度',
        description: '',
        dimensions: [],
        questions: [{ key: 'q1', type: 'rating', title: '办理效率', required: true }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const surveyId = created.json().id as string;
    expect((await admin.post(`/api/surveys/${surveyId}/publish`, {})).statusCode).toBe(200);
    const tag = letters(6);
    const optedOut = await createCustomer(t, admin, 'SH-LJZ', { email: `out.${tag}@example.cn` });
    const ok = await createCustomer(t, admin, 'SH-LJZ', { email: `ok.${tag}@example.cn` });
    await t.pool.query('update customers set consent_service = false where id = $1', [optedOut.id]);

    mails.length = 0;
    const res = await admin.post(`/api/surveys/${surveyId}/invitations`, { customerIds: [optedOut.id, ok.id] });
    expect(res.statusCode, res.body).toBe(201);
    await t.jobs.idle();
    await runJobs('outbox-send');
    expect(mails.map((m) => m.to)).toEqual([[`ok.${tag}@example.cn`]]);
    const rows = (
      await t.pool.query(
        "select customer_id, status, policy_outcome from outbox_messages where ref_type = 'survey_invitation' and customer_id = any($1::uuid[]) order by to_address",
        [[optedOut.id, ok.id]],
      )
    ).rows;
    expect(rows).toEqual([
      { customer_id: ok.id, status: 'sent', policy_outcome: null },
      { customer_id: optedOut.id, status: 'cancelled', policy_outcome: 'blocked:no_service_consent' },
    ]);
  });
});

describe('demo automatic SMS plan', () => {
  it('an active SMS plan with sent / delivered / undelivered / deferred / upcoming tasks and its message figures; loads once', async () => {
    const { loadDemoCustomers } = await import('../../bootstrap/demo-customers.ts');
    const { loadDemoFollowup } = await import('../../bootstrap/demo-followup.ts');
    const { loadDemoPlanMessages } = await import('../../bootstrap/demo-plan-messages.ts');
    const d = await createTestApp();
    try {
      await loadDemoCustomers(d, d.tenantId, 1200);
      await loadDemoFollowup(d, d.tenantId);
      expect(await loadDemoPlanMessages(d, d.tenantId)).toBe(25);
      const zhang = await d.login('zhang.manager');
      const plans = (await zhang.get('/api/followup/plans?pageSize=100')).json().items as TFollowupPlan[];
      const plan = plans.find((p) => p.message)!;
      expect(plan).toMatchObject({
        status: 'active',
        methods: ['sms'],
        message: { channel: 'sms', templateCode: 'SMS_DEMO_0001' },
      });
      expect(plan.taskCounts).toEqual({ done: 15, in_progress: 5, pending: 5 });
      expect((await zhang.get(`/api/followup/plans/${plan.id}/message-stats`)).json()).toEqual({
        queued: 5,
        sent: 4,
        delivered: 10,
        undelivered: 1,
        blocked: 0,
        failed: 0,
      });
      const admin = await d.login('admin');
      const done = (
        await d.pool.query(`select id from followup_tasks where plan_id = $1 and state = 'done' limit 1`, [plan.id])
      ).rows[0].id as string;
      const detail = (await admin.get(`/api/followup/tasks/${done}`)).json() as TTaskDetail;
      expect(detail.attemptsList).toMatchObject([{ channel: 'sms', outcome: 'sent' }]);
      expect(detail.events.map((e) => e.kind)).toContain('message_queued');
      // the upcoming ones are the job's when due: nothing is due now
      await d.jobs.send('followup-auto-send', {});
      await d.jobs.idle();
      expect((await zhang.get(`/api/followup/plans/${plan.id}/message-stats`)).json().queued).toBe(5);
      expect(await loadDemoPlanMessages(d, d.tenantId)).toBe(0);
    } finally {
      await d.close();
    }
  });
});

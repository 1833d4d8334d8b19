import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, expectError, PNG_BYTES, unitIdByCode, userIdByName } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { forgetConsumerProgress } from '../evaluations/evaluation-events.ts';
import { recordEvaluation } from '../evaluations/evaluations.write.ts';
import { openTicketFromFeedback } from './ticket-auto-create.ts';

/** The tickets API: scope, permissions per action, versions, notes, attachments, export, and auto-creation. */
let t: TTestApp;
let admin: TClient;
let zhang: TClient; // manager, SH branch (subtree)
let li: TClient; // manager, HZ branch
let wang: TClient; // supervisor, SH-LJZ outlet
let liu: TClient; // agent, SH (own scope)
let chen: TClient; // teller at SH-LJZ-W1 (own scope, ticket:read)
let teller02: TClient;
let zhao: TClient; // auditor (tenant, read only)
let ljz: string;
let chenId: string;
let liuId: string;
let ipSeq = 0;
const ip = () => `10.88.${Math.floor(ipSeq / 200)}.${(ipSeq++ % 200) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
  [admin, zhang, li, wang, liu, chen, teller02, zhao] = (await Promise.all(
    [
      'admin',
      'zhang.manager',
      'li.manager',
      'wang.supervisor',
      'liu.agent',
      'chen.teller',
      'teller02',
      'zhao.auditor',
    ].map((u) => t.login(u)),
  )) as TClient[] as [TClient, TClient, TClient, TClient, TClient, TClient, TClient, TClient];
  ljz = await unitIdByCode(t, 'SH-LJZ');
  chenId = await userIdByName(t, 'chen.teller');
  liuId = await userIdByName(t, 'liu.agent');
});
afterAll(async () => t.close());

const ticketCount = () => countRows(t, 'select 1 from tickets');

async function create(by: TClient, over: Record<string, unknown> = {}) {
  const res = await by.post('/api/tickets', {
    title: '柜员态度差',
    description: '客户来电投诉',
    category: 'service_attitude',
    priority: 'normal',
    unitId: ljz,
    staffId: chenId,
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as {
    ticket: { id: string; version: number; status: string; no: string; assigneeId: string | null };
  };
}

const act = (by: TClient, id: string, body: Record<string, unknown>) => by.post(`/api/tickets/${id}/actions`, body);

describe('manual tickets and scope', () => {
  it('a supervisor opens a ticket for the outlet; it goes to the nearest 客服, who is told; other branches get 404', async () => {
    const before = (await liu.get('/api/notifications')).json().unreadCount as number;
    await t.pool.query(`update users set email = 'liu.agent@example.com', phone = '138-1234-5678' where id = $1`, [
      liuId,
    ]);
    const { ticket } = await create(wang);
    const sent = (channel: string) =>
      t.pool.query(
        `select to_address as "to", subject, body from outbox_messages
         where ref_type = 'ticket' and ref_id = $1 and channel = $2`,
        [ticket.id, channel],
      );
    const mails = await sent('email');
    expect(mails.rows).toEqual([expect.objectContaining({ to: 'liu.agent@example.com' })]);
    expect(mails.rows[0].body).toContain(`/tickets/${ticket.id}`);
    // …and an SMS to his mobile (the outlet's manager wang opened it himself, so is not told).
    const sms = await sent('sms');
    expect(sms.rows).toEqual([expect.objectContaining({ to: '13812345678' })]);
    expect(sms.rows[0].body).toContain(ticket.no);
    expect(ticket.status).toBe('assigned');
    expect(ticket.assigneeId).toBe(liuId);
    expect(ticket.no).toMatch(/^GD\d{6}$/);
    const bell = (await liu.get('/api/notifications')).json();
    expect(bell.unreadCount).toBe(before + 1);
    expect(bell.items[0]).toMatchObject({ kind: 'ticket.created', link: `/tickets/${ticket.id}` });

    // In scope: the outlet's supervisor, the branch manager, the assigned agent, the teller complained about, the auditor.
    for (const c of [wang, zhang, liu, chen, zhao])
      expect((await c.get(`/api/tickets/${ticket.id}`)).statusCode).toBe(200);
    // Out of scope: the other branch's manager, another teller.
    for (const c of [li, teller02]) expectError(await c.get(`/api/tickets/${ticket.id}`), 404, 'NOT_FOUND');
    expect(
      (await li.get('/api/tickets?pageSize=100')).json().items.some((x: { id: string }) => x.id === ticket.id),
    ).toBe(false);
    expectError(await act(li, ticket.id, { action: 'start', version: ticket.version }), 404, 'NOT_FOUND');
    // The teller sees the ticket about him, in the list too, and may do nothing with it.
    const mine = (await chen.get('/api/tickets?pageSize=100')).json();
    expect(mine.items.some((x: { id: string }) => x.id === ticket.id)).toBe(true);
    expect((await chen.get(`/api/tickets/${ticket.id}`)).json().allowedActions).toEqual([]);
    expect((await zhao.get(`/api/tickets/${ticket.id}`)).json().allowedActions).toEqual([]);
    expect((await wang.get(`/api/tickets/${ticket.id}`)).json().allowedActions).toEqual([
      'assign',
      'start',
      'escalate',
    ]);
    expect((await liu.get(`/api/tickets/${ticket.id}`)).json().allowedActions).toEqual(['start']);
  });

  it('refuses a unit, customer or staff member out of scope (404 naming the field) and bad input (400), writing nothing', async () => {
    const n = await ticketCount();
    const hz = await unitIdByCode(t, 'HZ');
    expectError(await wang.post('/api/tickets', { title: '越界', category: 'other', unitId: hz }), 404, 'NOT_FOUND', [
      'body.unitId',
    ]);
    expectError(
      await wang.post('/api/tickets', {
        title: '未知客户',
        category: 'other',
        unitId: ljz,
        customerId: crypto.randomUUID(),
      }),
      404,
      'NOT_FOUND',
      ['body.customerId'],
    );
    expectError(
      await wang.post('/api/tickets', {
        title: '未知员工',
        category: 'other',
        unitId: ljz,
        staffId: crypto.randomUUID(),
      }),
      404,
      'NOT_FOUND',
      ['body.staffId'],
    );
    expectError(
      await wang.post('/api/tickets', { title: 'x', category: 'nope', unitId: ljz }),
      400,
      'VALIDATION_FAILED',
      ['body.category', 'body.title'],
    );
    expectError(
      await wang.post('/api/tickets', { title: '交给柜员', category: 'other', unitId: ljz, assigneeId: chenId }),
      400,
      'VALIDATION_FAILED',
      ['body.assigneeId'],
    );
    // Creating needs ticket:manage.
    expectError(
      await liu.post('/api/tickets', { title: '客服建单', category: 'other', unitId: ljz }),
      403,
      'FORBIDDEN',
    );
    expect(await ticketCount()).toBe(n);
  });
});

describe('actions', () => {
  it('the agent starts and resolves; permissions, versions, reasons and states are checked', async () => {
    const { ticket } = await create(wang);
    const id = ticket.id;
    // An agent may not assign (ticket:manage), a teller may do nothing.
    expectError(await act(liu, id, { action: 'assign', version: 1, assigneeId: liuId }), 403, 'FORBIDDEN');
    expectError(await act(chen, id, { action: 'start', version: 1 }), 403, 'FORBIDDEN');
    // Stale version → 409, nothing written.
    const events = () => countRows(t, 'select 1 from ticket_events where ticket_id = $1', [id]);
    const e0 = await events();
    expectError(await act(liu, id, { action: 'start', version: 99 }), 409, 'CONFLICT', ['body.version']);
    // Not allowed in this state.
    expectError(
      await act(liu, id, { action: 'resolve', version: 1, reason: '好了' }),
      409,
      'TICKET_ACTION_NOT_ALLOWED',
    );
    expectError(await act(liu, id, { action: 'fly', version: 1 }), 400, 'VALIDATION_FAILED', ['body.action']);
    expect(await events()).toBe(e0);

    const started = await act(liu, id, { action: 'start', version: 1 });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json().ticket).toMatchObject({ status: 'in_progress', version: 2 });
    expect(started.json().ticket.firstRespondedAt).not.toBeNull();
    // Resolving needs the resolution text.
    expectError(await act(liu, id, { action: 'resolve', version: 2 }), 400, 'VALIDATION_FAILED', ['body.reason']);
    const resolved = await act(liu, id, { action: 'resolve', version: 2, reason: '已致电客户道歉并说明' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const d = resolved.json();
    expect(d.ticket.status).toBe('resolved');
    expect(d.events.map((e: { type: string }) => e.type)).toEqual(['created', 'start', 'resolve']);
    expect(d.events[2]).toMatchObject({ actorName: '刘洋', payload: { reason: '已致电客户道歉并说明' } });
    expect(d.events[0].payload.assigneeName).toBe('刘洋');
  });

  it('assign checks the assignee: active, holds ticket:work, sees the unit; escalate goes up the chain', async () => {
    const { ticket } = await create(wang);
    const liId = await userIdByName(t, 'li.manager');
    // Someone of another branch: not found (like every id out of scope); a teller in scope who may not work tickets: 400.
    expectError(await act(wang, ticket.id, { action: 'assign', version: 1, assigneeId: liId }), 404, 'NOT_FOUND', [
      'body.assigneeId',
    ]);
    expectError(
      await act(wang, ticket.id, { action: 'assign', version: 1, assigneeId: chenId }),
      400,
      'VALIDATION_FAILED',
      ['body.assigneeId'],
    );
    const takers = (await wang.get(`/api/tickets/${ticket.id}/assignees`))
      .json()
      .items.map((u: { id: string }) => u.id);
    expect(takers).toContain(liuId);
    expect(takers).not.toContain(liId);
    expect(takers).not.toContain(chenId);
    expectError(await act(wang, ticket.id, { action: 'assign', version: 1 }), 400, 'VALIDATION_FAILED', [
      'body.assigneeId',
    ]);
    const wangId = await userIdByName(t, 'wang.supervisor');
    const zBefore = (await wang.get('/api/notifications')).json().unreadCount as number;
    const esc = await act(zhang, ticket.id, { action: 'escalate', version: 1, reason: '客户要求主管处理' });
    expect(esc.statusCode, esc.body).toBe(200);
    expect(esc.json().ticket).toMatchObject({ escalationLevel: 1, assigneeId: wangId, status: 'assigned' });
    const bell = (await wang.get('/api/notifications')).json();
    expect(bell.unreadCount).toBe(zBefore + 1);
    expect(bell.items[0]).toMatchObject({ kind: 'ticket.escalate', link: `/tickets/${ticket.id}` });
    // The agent it was taken from (own scope) no longer sees it.
    expectError(await liu.get(`/api/tickets/${ticket.id}`), 404, 'NOT_FOUND');
    expectError(await act(liu, ticket.id, { action: 'start', version: 2 }), 404, 'NOT_FOUND');
    const back = await act(wang, ticket.id, { action: 'assign', version: 2, assigneeId: liuId });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().ticket.assigneeId).toBe(liuId);
  });

  it('priority and category changes are events with a version check (ticket:manage)', async () => {
    const { ticket } = await create(wang);
    expectError(await liu.patch(`/api/tickets/${ticket.id}`, { version: 1, priority: 'high' }), 403, 'FORBIDDEN');
    expectError(await wang.patch(`/api/tickets/${ticket.id}`, { version: 5, priority: 'high' }), 409, 'CONFLICT');
    expectError(await wang.patch(`/api/tickets/${ticket.id}`, { version: 1 }), 400, 'VALIDATION_FAILED');
    const res = await wang.patch(`/api/tickets/${ticket.id}`, {
      version: 1,
      priority: 'urgent',
      category: 'waiting_time',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ticket).toMatchObject({ priority: 'urgent', category: 'waiting_time', version: 3 });
    expect(
      res
        .json()
        .events.slice(-2)
        .map((e: { type: string }) => e.type),
    ).toEqual(['priority_changed', 'category_changed']);
  });
});

describe('notes and attachments', () => {
  it('the assignee adds an internal note and a picture; the teller may not; bad files are refused', async () => {
    const { ticket } = await create(wang);
    const note = await liu.post(`/api/tickets/${ticket.id}/notes`, { text: '已联系客户，约明天回电', internal: true });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json().events.at(-1)).toMatchObject({
      type: 'note',
      payload: { text: '已联系客户，约明天回电', internal: true },
    });
    expectError(await chen.post(`/api/tickets/${ticket.id}/notes`, { text: '我有话说' }), 403, 'FORBIDDEN');
    expectError(await liu.post(`/api/tickets/${ticket.id}/notes`, { text: '' }), 400, 'VALIDATION_FAILED', [
      'body.text',
    ]);

    const upload = (by: TClient, body: Buffer, type: string, name: string) =>
      by.request({
        method: 'POST',
        url: `/api/tickets/${ticket.id}/attachments?fileName=${encodeURIComponent(name)}`,
        headers: { 'content-type': type },
        payload: body,
      });
    const up = await upload(liu, PNG_BYTES, 'image/png', '现场照片.png');
    expect(up.statusCode, up.body).toBe(201);
    const att = up.json().attachments[0];
    expect(att).toMatchObject({ fileName: '现场照片.png', mimeType: 'image/png', sizeBytes: PNG_BYTES.length });
    expect(up.json().events.at(-1)).toMatchObject({ type: 'attachment', payload: { attachmentId: att.id } });
    const dl = await zhang.get(`/api/tickets/${ticket.id}/attachments/${att.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('image/png');
    expect(dl.rawPayload.equals(PNG_BYTES)).toBe(true);
    expectError(await li.get(`/api/tickets/${ticket.id}/attachments/${att.id}`), 404, 'NOT_FOUND');

    // A "PDF" that is an HTML page, and a file past 10 MB, are refused; nothing is added.
    expectError(
      await upload(liu, Buffer.from('<html>x</html>'), 'application/pdf', 'a.pdf'),
      400,
      'VALIDATION_FAILED',
      ['body'],
    );
    expectError(
      await upload(liu, Buffer.alloc(10 * 1024 * 1024 + 1, 1), 'application/pdf', 'big.pdf'),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(await upload(chen, PNG_BYTES, 'image/png', 'x.png'), 403, 'FORBIDDEN');
    expect(await countRows(t, 'select 1 from ticket_attachments where ticket_id = $1', [ticket.id])).toBe(1);
  });
});

describe('list, board and export', () => {
  it('filters by status, number and assignee; the board counts my scope; the export is audited with its filters', async () => {
    const { ticket } = await create(wang, { title: '导出测试工单' });
    const list = (await wang.get(`/api/tickets?q=${ticket.no}`)).json();
    expect(list.items.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
    const byStatus = (await wang.get('/api/tickets?status=assigned&status=in_progress&pageSize=100')).json();
    expect(byStatus.items.every((x: { status: string }) => ['assigned', 'in_progress'].includes(x.status))).toBe(true);
    expect(byStatus.items.some((x: { id: string }) => x.id === ticket.id)).toBe(true);
    const mine = (await liu.get('/api/tickets?assignee=me&pageSize=100')).json();
    expect(mine.items.every((x: { assigneeId: string }) => x.assigneeId === liuId)).toBe(true);
    expectError(await wang.get('/api/tickets?sort=title'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
    expectError(await wang.get('/api/tickets?status=bogus'), 400, 'VALIDATION_FAILED');

    const board = (await wang.get('/api/tickets/board?perColumn=3')).json();
    const total = (await wang.get('/api/tickets?pageSize=1')).json().total;
    expect(Object.values(board.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(total);
    const assigned = board.columns.find((c: { status: string }) => c.status === 'assigned');
    expect(assigned.total).toBe(board.byStatus.assigned);
    expect(assigned.items.length).toBe(Math.min(3, assigned.total));
    expect((await li.get('/api/tickets/board')).json().byStatus.assigned).toBe(0);

    const audits = () => countRows(t, `select 1 from audit_events where action = 'ticket.exported'`);
    const a0 = await audits();
    const res = await zhang.get('/api/tickets/export?status=assigned&q=导出测试');
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('工单')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('工单号');
    expect(sheet.getRow(2).getCell(1).value).toBe(ticket.no);
    expect(sheet.rowCount).toBe(2);
    const filters = wb.getWorksheet('筛选条件')!;
    const cells = filters.getSheetValues().flat().map(String);
    expect(cells).toContain('导出测试');
    expect(await audits()).toBe(a0 + 1);
    // A search by phone is not written in clear on the 筛选条件 sheet (PII canary found it).
    const byPhone = await zhang.get('/api/tickets/export?q=13812345678');
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(byPhone.rawPayload as unknown as ArrayBuffer);
    const filterCells = wb2.getWorksheet('筛选条件')!.getSheetValues().flat().map(String).join(' ');
    expect(filterCells).not.toContain('13812345678');
    expect(filterCells).toContain('138****5678');
  });
});

describe('ticket policy settings', () => {
  it('the admin sets the auto-creation threshold (audited); others may not', async () => {
    expect((await wang.get('/api/settings/ticket-policy')).json()).toMatchObject({
      autoMaxScore: 2,
      autoPriority: 'normal',
    });
    expectError(
      await zhang.request({
        method: 'PUT',
        url: '/api/settings/ticket-policy',
        payload: { autoMaxScore: 3, autoPriority: 'high' },
      }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await admin.request({
        method: 'PUT',
        url: '/api/settings/ticket-policy',
        payload: { autoMaxScore: 5, autoPriority: 'x' },
      }),
      400,
      'VALIDATION_FAILED',
      ['body.autoMaxScore', 'body.autoPriority'],
    );
    const policyAudits = () => countRows(t, `select 1 from audit_events where action = 'ticket_policy.changed'`);
    const a0 = await policyAudits();
    const res = await admin.request({
      method: 'PUT',
      url: '/api/settings/ticket-policy',
      payload: { autoMaxScore: 2, autoPriority: 'high' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ autoMaxScore: 2, autoPriority: 'high' });
    expect(await policyAudits()).toBe(a0 + 1);
  });
});

describe('auto-creation from a negative kiosk press', () => {
  async function pairKiosk(counterCode: string) {
    const counterId = await unitIdByCode(t, counterCode);
    const pc = await zhang.post('/api/kiosk/pairing-codes', { counterId, deviceName: `平板 ${counterCode}` });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/pair',
      payload: { code: pc.json().code },
      remoteAddress: ip(),
    });
    return { token: res.json().token as string, counterId };
  }
  async function negativePress(key = 4) {
    const k = await pairKiosk('SH-LJZ-W1');
    const start = await chen.post('/api/counter/sessions', { counterId: k.counterId, businessType: '个人存取款' });
    expect(start.statusCode, start.body).toBe(200);
    t.clock.advance(60_000);
    const end = await chen.post(`/api/counter/sessions/${start.json().id}/end`);
    expect(end.statusCode, end.body).toBe(200);
    const shown = t.clock.now();
    t.clock.advance(3000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/kiosk/device/ratings',
      headers: { authorization: `Bearer ${k.token}`, 'idempotency-key': crypto.randomUUID() },
      payload: {
        sessionId: end.json().id,
        key,
        shownAt: new Date(shown.getTime() + 1000).toISOString(),
        pressedAt: new Date(shown.getTime() + 3000).toISOString(),
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().evaluationId as string;
  }
  const ticketsOf = (evaluationId: string) =>
    t.pool.query('select * from tickets where source_evaluation_id = $1', [evaluationId]).then((r) => r.rows);

  const setPolicy = async (autoMaxScore: number, autoPriority: string) =>
    expect(
      (
        await admin.request({
          method: 'PUT',
          url: '/api/settings/ticket-policy',
          payload: { autoMaxScore, autoPriority },
        })
      ).statusCode,
    ).toBe(200);

  it('opens exactly one ticket, even when the job runs again or the consumer is replayed', async () => {
    await setPolicy(2, 'high');
    const wBefore = (await wang.get('/api/notifications')).json().unreadCount as number;
    const evaluationId = await negativePress();
    await t.runEvaluationEvents();
    const [ticket, ...more] = await ticketsOf(evaluationId);
    expect(more).toEqual([]);
    expect(ticket).toMatchObject({
      source: 'evaluation',
      status: 'assigned',
      assignee_id: liuId,
      staff_id: chenId,
      category: 'service_attitude',
      priority: 'high', // the policy set above
    });
    expect(ticket.title).toContain('不满意评价：窗口评价');
    expect(ticket.title).toContain('陈静');
    // The outlet's supervisor (ticket:manage) hears of it, and finds it on the board.
    const bell = (await wang.get('/api/notifications')).json();
    expect(bell.unreadCount).toBe(wBefore + 1);
    expect(bell.items[0]).toMatchObject({ kind: 'ticket.created', link: `/tickets/${ticket.id}` });
    const board = (await wang.get('/api/tickets/board?perColumn=50')).json();
    expect(
      board.columns
        .find((c: { status: string }) => c.status === 'assigned')
        .items.some((x: { id: string }) => x.id === ticket.id),
    ).toBe(true);

    await t.runEvaluationEvents();
    expect(await ticketsOf(evaluationId)).toHaveLength(1);
    // A replay: the consumer's marker and floor gone, it handles the event again — still one ticket, one event.
    await forgetConsumerProgress(t.db, 'tickets-from-evaluations');
    await t.runEvaluationEvents();
    expect(await ticketsOf(evaluationId)).toHaveLength(1);
    expect(await countRows(t, 'select 1 from ticket_events where ticket_id = $1', [ticket.id])).toBe(1);
    expect((await wang.get('/api/notifications')).json().unreadCount).toBe(wBefore + 1);
  });

  it('the policy threshold decides (一般 = 3 opens one only at ≤ 3)', async () => {
    await setPolicy(2, 'normal');
    const fair = await negativePress(3);
    await t.runEvaluationEvents();
    expect(await ticketsOf(fair)).toHaveLength(0);
    await setPolicy(3, 'urgent');
    const fair2 = await negativePress(3);
    await t.runEvaluationEvents();
    expect(await ticketsOf(fair2)).toEqual([expect.objectContaining({ priority: 'urgent' })]);
    await setPolicy(2, 'normal');
  });

  it('a satisfied press and a close-the-loop answer open no ticket', async () => {
    const ok = await negativePress(1);
    // A 非常不满意 answer to a ticket's callback survey (flag ticket_callback), recorded as the close-the-loop does.
    const { id: callback } = await recordEvaluation(t.db, {
      tenantId: t.tenantId,
      channel: 'survey',
      occurredAt: t.clock.now(),
      unitId: await unitIdByCode(t, 'SH-LJZ'),
      sourceType: 'link',
      score: 1,
      ratingLabel: '非常不满意',
      text: '处理结果不满意',
      flags: ['ticket_callback'],
      idempotencyKey: crypto.randomUUID(),
    });
    await t.runEvaluationEvents();
    expect(await ticketsOf(ok)).toHaveLength(0);
    expect(await ticketsOf(callback)).toHaveLength(0);
  });
});

describe('feedback complaints and the customer panel', () => {
  it('a complaint about an evaluation with a ticket becomes one note; without one it opens a ticket by topic', async () => {
    const { ticket } = await create(wang);
    const evaluationId = crypto.randomUUID();
    await t.pool.query('update tickets set source_evaluation_id = $1 where id = $2', [evaluationId, ticket.id]);
    const item = {
      tenantId: t.tenantId,
      feedbackId: crypto.randomUUID(),
      evaluationId,
      unitId: ljz,
      staffId: chenId,
      customerId: null,
      channel: 'survey' as const,
      text: '排队太久，柜员还不耐烦',
      category: 'complaint',
      topics: ['等待时间'],
      keywords: ['排队', '不耐烦'],
      occurredAt: t.clock.now(),
    };
    const first = await t.db.transaction((tx) => openTicketFromFeedback(tx, item));
    const again = await t.db.transaction((tx) => openTicketFromFeedback(tx, item));
    expect(first).toMatchObject({ created: false, noted: true });
    expect(again).toMatchObject({ created: false, noted: false });
    expect(first.ticket.id).toBe(ticket.id);
    const notes = await t.pool.query(`select payload from ticket_events where ticket_id = $1 and type = 'note'`, [
      ticket.id,
    ]);
    expect(notes.rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ text: item.text, keywords: ['排队', '不耐烦'], internal: true }),
    ]);

    const own = { ...item, feedbackId: crypto.randomUUID(), evaluationId: null };
    const opened = await t.db.transaction((tx) => openTicketFromFeedback(tx, own));
    const repeat = await t.db.transaction((tx) => openTicketFromFeedback(tx, own));
    expect(opened.created).toBe(true);
    expect(repeat).toMatchObject({ created: false });
    expect(repeat.ticket.id).toBe(opened.ticket.id);
    expect(opened.ticket).toMatchObject({ source: 'feedback', category: 'waiting_time', assigneeId: liuId });
  });

  it('shows the customer masked, with their earlier tickets', async () => {
    const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const res = await wang.post('/api/customers', { name: '王小明', phones: [phone], unitId: ljz });
    expect(res.statusCode, res.body).toBe(201);
    const customer = res.json() as { id: string; name: string };
    const a = await create(wang, { customerId: customer.id, title: '第一次投诉' });
    const b = await create(wang, { customerId: customer.id, title: '第二次投诉' });
    const d = (await liu.get(`/api/tickets/${b.ticket.id}`)).json();
    expect(d.customer.customer.id).toBe(customer.id);
    expect(d.customer.customer.phones[0]).toContain('*');
    expect(d.customer.tickets.map((x: { id: string }) => x.id)).toContain(a.ticket.id);
    expect(d.customer.tickets.map((x: { id: string }) => x.id)).not.toContain(b.ticket.id);
    expect(d.ticket.customerName).not.toBe(customer.name);
  });
});

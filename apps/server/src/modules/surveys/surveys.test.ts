import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSurveyDefinition, TSurveyDetail, TSurveyResults } from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { enqueueMessages } from '../messaging/outbox.repository.ts';
import { expectOneEventPerFact } from '../../../test/evaluation-events-helpers.ts';
import { sendDueEmails } from '../messaging/outbox.sender.ts';

/** A real SMTP server inside the test (DESIGN §10): every accepted message lands here. */
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

/** The answer link in a mail (the body is quoted-printable or base64 encoded by nodemailer). */
function tokenIn(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  let body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head ?? ''))
    body = Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  else body = body.replace(/=\r?\n/g, '');
  const m = /\/s\/([A-Za-z0-9_-]{43})/.exec(body);
  if (!m) throw new Error(`no link in mail: ${body.slice(0, 300)}`);
  return m[1]!;
}

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await createTestApp({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      PUBLIC_BASE_URL: 'https://hf.example.cn',
      SURVEY_SUBMIT_RATE_PER_MINUTE: '20',
    },
  });
  // 10:00 in Shanghai: invitations to customers pass the contact policy, so a run in the evening (quiet hours from
  // 21:00) would hold them back.
  t.clock.set('2026-11-23T02:00:00Z');
  admin = await t.login('admin');
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** Two weighted dimensions (60 / 40), a skip rule and every question kind the maths use. */
const definition = (over: Partial<TSurveyDefinition> = {}): TSurveyDefinition => ({
  title: '网点服务满意度',
  description: '',
  dimensions: [
    { key: 'service', name: '服务', weight: 60 },
    { key: 'env', name: '环境', weight: 40 },
  ],
  questions: [
    { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
    { key: 'q2', type: 'rating', title: '办理效率', required: true, dimensionKey: 'service' },
    {
      key: 'visited',
      type: 'single',
      title: '是否到过网点',
      required: true,
      options: [
        { value: 'y', label: '是' },
        { value: 'n', label: '否' },
      ],
      skip: [{ op: 'eq', values: ['n'], goto: 'nps' }],
    },
    { key: 'q3', type: 'likert', title: '网点环境', required: true, dimensionKey: 'env' },
    { key: 'nps', type: 'nps', title: '推荐意愿', required: true },
    { key: 'memo', type: 'text', title: '建议', required: false },
  ],
  ...over,
});

async function publishedSurvey(def = definition()): Promise<TSurveyDetail> {
  const created = await admin.post('/api/surveys', { definition: def });
  expect(created.statusCode, created.body).toBe(201);
  const published = await admin.post(`/api/surveys/${created.json().id}/publish`, {});
  expect(published.statusCode, published.body).toBe(200);
  return published.json();
}

async function openToken(surveyId: string): Promise<string> {
  const res = await admin.post(`/api/surveys/${surveyId}/open-link`, {});
  expect(res.statusCode, res.body).toBe(200);
  return res.json().openToken;
}

const submit = (token: string, answers: Record<string, unknown>, key?: string, ip = '203.0.113.1') =>
  t.app.inject({
    method: 'POST',
    url: `/api/s/${token}/responses`,
    payload: { answers },
    remoteAddress: ip,
    headers: { ...(key ? { 'idempotency-key': key } : {}) },
  });

const full = { q1: 5, q2: 4, visited: 'y', q3: 3, nps: 9, memo: '很好' };
const responsesOf = (surveyId: string) =>
  countRows(t, 'select 1 from survey_responses where survey_id = $1', [surveyId]);
const evaluationsOf = (surveyId: string) =>
  countRows(t, "select 1 from evaluations where ref_type = 'survey_response' and answers->>'surveyId' = $1", [
    surveyId,
  ]);

describe('designer', () => {
  it('weights must sum to 100%: 400 with the field path, nothing written', async () => {
    const before = await countRows(t, 'select 1 from surveys');
    const res = await admin.post('/api/surveys', {
      definition: definition({
        dimensions: [
          { key: 'service', name: '服务', weight: 60 },
          { key: 'env', name: '环境', weight: 30 },
        ],
      }),
    });
    expectError(res, 400, 'VALIDATION_FAILED', ['body.definition.dimensions']);
    expect(res.json().details[0].message).toMatch(/100%/);
    // a scored question without a dimension, and a backwards skip
    const bad = definition();
    bad.questions[0]!.dimensionKey = null;
    bad.questions[2]!.skip = [{ op: 'eq', values: ['n'], goto: 'q1' }];
    expectError(await admin.post('/api/surveys', { definition: bad }), 400, 'VALIDATION_FAILED', [
      'body.definition.questions.0.dimensionKey',
      'body.definition.questions.2.skip.0.goto',
    ]);
    expect(await countRows(t, 'select 1 from surveys')).toBe(before);
  });

  it('creates the consumer-goods template (7 dimensions, 100%)', async () => {
    const res = await admin.post('/api/surveys', { template: 'consumer_goods' });
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json() as TSurveyDetail;
    expect(s.definition.dimensions.map((d) => [d.name, d.weight])).toEqual([
      ['品牌与形象', 20],
      ['质量', 20],
      ['价格', 20],
      ['售后服务质量', 10],
      ['退货处理', 10],
      ['投诉处理', 15],
      ['沟通与宣传', 5],
    ]);
    expect(s.status).toBe('draft');
  });

  it('ships bank-hall and hospital discharge follow-up templates (weights 100%, every scored question in a dimension), publishable and answerable', async () => {
    const bank = await admin.post('/api/surveys', { template: 'bank_hall' });
    expect(bank.statusCode, bank.body).toBe(201);
    const b = bank.json() as TSurveyDetail;
    expect(b.definition.dimensions.map((d) => d.name)).toEqual(
      expect.arrayContaining(['服务态度', '等候时间', '业务效率', '网点环境']),
    );
    const hospital = await admin.post('/api/surveys', { template: 'hospital_followup' });
    expect(hospital.statusCode, hospital.body).toBe(201);
    const h = hospital.json() as TSurveyDetail;
    expect(h.title).toContain('随访');
    for (const s of [b, h]) {
      expect(s.definition.dimensions.reduce((n, d) => n + d.weight, 0)).toBe(100);
      const keys = new Set(s.definition.dimensions.map((d) => d.key));
      for (const q of s.definition.questions.filter((x) => ['likert', 'rating', 'csat'].includes(x.type)))
        expect(keys.has(q.dimensionKey!)).toBe(true);
      // every dimension has a question, so a full answer gives a satisfaction index
      expect(new Set(s.definition.questions.map((q) => q.dimensionKey).filter(Boolean))).toEqual(keys);
      expect((await admin.post(`/api/surveys/${s.id}/publish`, {})).statusCode).toBe(200);
    }
    const token = await openToken(h.id);
    const answers = Object.fromEntries(
      h.definition.questions
        .filter((q) => q.type !== 'text')
        .map((q) => [q.key, q.type === 'nps' ? 9 : q.type === 'likert' ? 4 : q.options![0]!.value]),
    );
    expect((await submit(token, answers, 'device-hospital-template')).statusCode).toBe(201);
    const results = (await admin.get(`/api/surveys/${h.id}/results`)).json() as TSurveyResults;
    expect(results.satisfactionIndex).toBe(80);
    expectError(await admin.post('/api/surveys', { template: 'car_dealer' }), 400, 'VALIDATION_FAILED', [
      'body.template',
    ]);
  });

  it('versioning: a draft is edited in place; editing a published survey creates version 2; responses keep their version', async () => {
    const created = (await admin.post('/api/surveys', { definition: definition() })).json() as TSurveyDetail;
    const edited = (
      await admin.request({
        method: 'PUT',
        url: `/api/surveys/${created.id}`,
        payload: { definition: definition({ title: '草稿改名' }) },
      })
    ).json() as TSurveyDetail;
    expect([edited.latestVersion, edited.versions.length, edited.title]).toEqual([1, 1, '草稿改名']);
    await admin.post(`/api/surveys/${created.id}/publish`, {});
    const token = await openToken(created.id);
    expect((await submit(token, full, 'device-version-1')).statusCode).toBe(201);

    const v2 = (
      await admin.request({
        method: 'PUT',
        url: `/api/surveys/${created.id}`,
        payload: { definition: definition({ title: '第二版' }) },
      })
    ).json() as TSurveyDetail;
    expect([v2.latestVersion, v2.publishedVersion, v2.hasUnpublishedChanges]).toEqual([2, 1, true]);
    // links still serve version 1 until version 2 is published
    expect((await t.app.inject({ method: 'GET', url: `/api/s/${token}` })).json()).toMatchObject({
      version: 1,
      definition: { title: '草稿改名' },
    });
    await admin.post(`/api/surveys/${created.id}/publish`, {});
    expect((await submit(token, full, 'device-version-2')).statusCode).toBe(201);
    const versions = (
      await t.pool.query('select version from survey_responses where survey_id = $1 order by submitted_at, version', [
        created.id,
      ])
    ).rows.map((r) => r.version);
    expect(versions.sort()).toEqual([1, 2]);
    const old = await admin.get(`/api/surveys/${created.id}/versions/1`);
    expect(old.json()).toMatchObject({ version: 1, responseCount: 1, definition: { title: '草稿改名' } });
  });
});

describe('scope', () => {
  it('a branch survey is invisible to another branch (404); an HQ survey is readable below but only HQ may edit it', async () => {
    const sh = await admin.post('/api/surveys', {
      unitId: await unitIdByCode(t, 'SH'),
      definition: definition({ title: '上海分行问卷' }),
    });
    expect(sh.statusCode, sh.body).toBe(201);
    const hq = (
      await admin.post('/api/surveys', { definition: definition({ title: '总部问卷' }) })
    ).json() as TSurveyDetail;
    const [zhang, li] = await Promise.all([t.login('zhang.manager'), t.login('li.manager')]);
    expect((await zhang.get(`/api/surveys/${sh.json().id}`)).statusCode).toBe(200);
    expectError(await li.get(`/api/surveys/${sh.json().id}`), 404, 'NOT_FOUND');
    expectError(await li.get(`/api/surveys/${sh.json().id}/results`), 404, 'NOT_FOUND');
    expect((await li.get('/api/surveys?pageSize=100')).json().items.map((x: { id: string }) => x.id)).not.toContain(
      sh.json().id,
    );
    expect((await li.get(`/api/surveys/${hq.id}`)).statusCode).toBe(200);
    expectError(
      await li.request({ method: 'PUT', url: `/api/surveys/${hq.id}`, payload: { definition: definition() } }),
      404,
      'NOT_FOUND',
    );
    expectError(await li.post(`/api/surveys/${hq.id}/publish`, {}), 404, 'NOT_FOUND');
    // an agent reads surveys but may not design them
    const agent = await t.login('liu.agent');
    expectError(await agent.post('/api/surveys', { definition: definition() }), 403, 'FORBIDDEN');
  });
});

describe('answering', () => {
  it('personal link: single use, stored as an evaluation; a second submit gets the clear 410 and writes nothing', async () => {
    const s = await publishedSurvey();
    const customer = await createCustomer(t, admin, 'SH-LJZ', { name: '王小明' });
    const link = await admin.post(`/api/surveys/${s.id}/links`, { customerId: customer.id });
    expect(link.statusCode, link.body).toBe(201);
    const { token, url } = link.json();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(url).toBe(`https://hf.example.cn/s/${token}`);
    // only the hash is stored
    expect(await countRows(t, 'select 1 from survey_links where token_hash = $1 or open_token = $1', [token])).toBe(0);

    const page = await t.app.inject({ method: 'GET', url: `/api/s/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('王小明');
    expect(page.body).not.toContain(customer.id);

    const res = await submit(token, full);
    expect(res.statusCode, res.body).toBe(201);
    const ev = (
      await t.pool.query("select * from evaluations where ref_type = 'survey_response' and ref_id = $1", [
        res.json().responseId,
      ])
    ).rows[0];
    expect(ev).toMatchObject({
      channel: 'survey',
      source_type: 'link',
      customer_id: customer.id,
      unit_id: customer.unitId,
      text: '很好',
    });
    // service (5 + 4) / 2 = 4.5, env 3 → 0.6 × 4.5 + 0.4 × 3 = 3.9 → index 78 → score 4
    expect(ev.dimensions).toEqual({ service: 4.5, env: 3 });
    expect(ev.score).toBe(4);

    const before = [await responsesOf(s.id), await evaluationsOf(s.id)];
    const again = await submit(token, full);
    expectError(again, 410, 'SURVEY_LINK_USED');
    expect(again.json().message).toBe('此问卷已提交，感谢您的参与');
    expectError(await t.app.inject({ method: 'GET', url: `/api/s/${token}` }), 410, 'SURVEY_LINK_USED');
    expect([await responsesOf(s.id), await evaluationsOf(s.id)]).toEqual(before);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });

  it('an expired personal link answers 410 SURVEY_LINK_EXPIRED', async () => {
    const s = await publishedSurvey();
    const customer = await createCustomer(t, admin, 'SH-LJZ');
    const { token } = (
      await admin.post(`/api/surveys/${s.id}/links`, { customerId: customer.id, expiresInDays: 1 })
    ).json();
    t.clock.advance(2 * 86_400_000);
    try {
      expectError(await submit(token, full), 410, 'SURVEY_LINK_EXPIRED');
      expect(await responsesOf(s.id)).toBe(0);
    } finally {
      t.clock.advance(-2 * 86_400_000);
    }
  });

  it('open link: one response per device (Idempotency-Key), another device answers too', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const first = await submit(token, full, 'device-aaaaaaaa');
    expect(first.statusCode, first.body).toBe(201);
    const repeat = await submit(token, full, 'device-aaaaaaaa');
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual({ responseId: first.json().responseId, isDuplicate: true });
    // The same key with other answers is not a replay: 422, and the stored response is unchanged.
    expectError(await submit(token, { ...full, q1: 1 }, 'device-aaaaaaaa'), 422, 'IDEMPOTENCY_KEY_REUSED', [
      'headers.idempotency-key',
    ]);
    expect((await submit(token, full, 'device-bbbbbbbb')).statusCode).toBe(201);
    expect([await responsesOf(s.id), await evaluationsOf(s.id)]).toEqual([2, 2]);
  });

  it('open link: the page learns this browser already answered (GET answered), and a repeat submit is told apart from a new one', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const look = (key?: string) =>
      t.app.inject({ method: 'GET', url: `/api/s/${token}`, headers: key ? { 'idempotency-key': key } : {} });
    expect((await look('device-answered-1')).json()).toMatchObject({ kind: 'open', answered: false });
    const first = await submit(token, full, 'device-answered-1');
    expect([first.statusCode, first.json().isDuplicate]).toEqual([201, false]);
    expect((await look('device-answered-1')).json()).toMatchObject({ kind: 'open', answered: true });
    // another browser, or none at all, still gets the form
    expect((await look('device-answered-2')).json().answered).toBe(false);
    expect((await look()).json().answered).toBe(false);
    const repeat = await submit(token, full, 'device-answered-1');
    expect([repeat.statusCode, repeat.json()]).toEqual([
      200,
      { responseId: first.json().responseId, isDuplicate: true },
    ]);
    // other answers from the same browser are not a second response either: 422, which the page shows as 已提交过
    expectError(await submit(token, { ...full, q1: 1 }, 'device-answered-1'), 422, 'IDEMPOTENCY_KEY_REUSED', [
      'headers.idempotency-key',
    ]);
    expect(await responsesOf(s.id)).toBe(1);
    // the answered flag is per link: the same key on another survey's link has not answered there
    const other = await publishedSurvey();
    const otherToken = await openToken(other.id);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/s/${otherToken}`,
          headers: { 'idempotency-key': 'device-answered-1' },
        })
      ).json().answered,
    ).toBe(false);
  });

  it('open link answers arriving together (one batch): each device lands once, a repeat racing its original gets the same response', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const devices = Array.from({ length: 6 }, (_, i) => `batch-device-${i}-${s.id.slice(0, 8)}`);
    const results = await Promise.all([...devices, devices[0]!, devices[1]!].map((d) => submit(token, full, d)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 201, 201, 201, 201, 201, 201]);
    const byDevice = new Map<string, Set<string>>();
    [...devices, devices[0]!, devices[1]!].forEach((d, i) =>
      byDevice.set(d, (byDevice.get(d) ?? new Set()).add(results[i]!.json().responseId)),
    );
    expect([...byDevice.values()].every((ids) => ids.size === 1)).toBe(true);
    expect([await responsesOf(s.id), await evaluationsOf(s.id)]).toEqual([6, 6]);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });

  it('a malformed answer sheet gets 400 naming the answer at fault (the hot path leaves it to zod); nothing written', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...full, q2: { stars: 4 } }, 'body.answers.q2'],
      [{ ...full, memo: 'x'.repeat(2001) }, 'body.answers.memo'],
      [{ ...full, visited: [1] }, 'body.answers.visited'],
      [{ ...full, nps: null }, 'body.answers.nps'],
    ];
    for (const [answers, path] of cases) {
      const res = await submit(token, answers, 'device-shape-1');
      expectError(res, 400, 'VALIDATION_FAILED', [path]);
    }
    const notAnObject = await t.app.inject({
      method: 'POST',
      url: `/api/s/${token}/responses`,
      payload: { answers: [5] },
      headers: { 'idempotency-key': 'device-shape-2' },
    });
    expectError(notAnObject, 400, 'VALIDATION_FAILED', ['body.answers']);
    expect(await responsesOf(s.id)).toBe(0);
    // a body with a field besides the answers is taken as zod takes it (the field dropped)
    const extra = await t.app.inject({
      method: 'POST',
      url: `/api/s/${token}/responses`,
      payload: { answers: full, note: 'ignored' },
      headers: { 'idempotency-key': 'device-shape-3' },
    });
    expect(extra.statusCode, extra.body).toBe(201);
    expect(await responsesOf(s.id)).toBe(1);
  });

  it('skip logic is enforced server-side: an answer to a skipped question is refused with its path; nothing written', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    // visited = n jumps to nps: q3 is skipped, so answering it is an error (not silently dropped)
    const res = await submit(token, { q1: 4, q2: 4, visited: 'n', q3: 2, nps: 7 }, 'device-skip-1');
    expectError(res, 400, 'VALIDATION_FAILED', ['body.answers.q3']);
    expect(res.json().details[0].message).toMatch(/skipped/);
    // a required question on the path is required; out-of-range values name their question
    expectError(
      await submit(token, { q1: 4, visited: 'y', q3: 9, nps: 11 }, 'device-skip-2'),
      400,
      'VALIDATION_FAILED',
      ['body.answers.q2', 'body.answers.q3', 'body.answers.nps'],
    );
    expect(await responsesOf(s.id)).toBe(0);
    // skipping properly is accepted, and the skipped dimension is left out of this response's index
    const ok = await submit(token, { q1: 4, q2: 4, visited: 'n', nps: 7 }, 'device-skip-3');
    expect(ok.statusCode, ok.body).toBe(201);
    const r = (
      await t.pool.query('select dimension_scores, index_value from survey_responses where id = $1', [
        ok.json().responseId,
      ])
    ).rows[0];
    expect(r).toEqual({ dimension_scores: { service: 4 }, index_value: 80 });
  });

  it('rate-limits submissions per IP and link (429 with Retry-After), nothing written', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await submit(token, {}, undefined, '198.51.100.77')).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 400)).toBe(true);
    expect(codes[20]).toBe(429);
    const limited = await submit(token, full, 'device-rate', '198.51.100.77');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await responsesOf(s.id)).toBe(0);
    // another IP is not affected
    expect((await submit(token, full, 'device-rate', '198.51.100.78')).statusCode).toBe(201);
  });

  it('unknown and draft links answer 404 / 410', async () => {
    expectError(await t.app.inject({ method: 'GET', url: `/api/s/${'x'.repeat(43)}` }), 404, 'NOT_FOUND');
    const draft = (await admin.post('/api/surveys', { definition: definition() })).json() as TSurveyDetail;
    const token = await openToken(draft.id);
    expectError(await submit(token, full, 'device-draft-1'), 410, 'SURVEY_NOT_OPEN');
  });

  it('staff enter a response for a customer in their scope (channel staff, source user); outside scope → 404 on customerId', async () => {
    const s = await publishedSurvey();
    const manager = await t.login('zhang.manager');
    const own = await createCustomer(t, admin, 'SH-LJZ');
    const other = await createCustomer(t, admin, 'HZ');
    const res = await manager.post(`/api/surveys/${s.id}/responses`, { customerId: own.id, answers: full });
    expect(res.statusCode, res.body).toBe(201);
    const ev = (
      await t.pool.query('select channel, source_type, staff_id, customer_id from evaluations where ref_id = $1', [
        res.json().responseId,
      ])
    ).rows[0];
    expect(ev).toEqual({ channel: 'staff', source_type: 'user', staff_id: manager.me.user.id, customer_id: own.id });
    expectError(
      await manager.post(`/api/surveys/${s.id}/responses`, { customerId: other.id, answers: full }),
      404,
      'NOT_FOUND',
      ['body.customerId'],
    );
    expect(await responsesOf(s.id)).toBe(1);
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });
});

describe('results', () => {
  it('index, CSAT, NPS, dimension means and distributions match a hand-computed example; export is formula-safe', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const answers = [
      { q1: 5, q2: 5, visited: 'y', q3: 4, nps: 10, memo: '=HYPERLINK("http://evil")' }, // service 5, env 4
      { q1: 4, q2: 3, visited: 'y', q3: 2, nps: 6 }, // service 3.5, env 2
      { q1: 3, q2: 2, visited: 'n', nps: 8 }, // service 2.5, env skipped
    ];
    for (const [i, a] of answers.entries())
      expect((await submit(token, a, `device-results-${i}`)).statusCode).toBe(201);
    const res = await admin.get(`/api/surveys/${s.id}/results`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as TSurveyResults;
    // service mean (5 + 3.5 + 2.5) / 3 = 3.6667; env (4 + 2) / 2 = 3 → (0.6 × 3.6667 + 0.4 × 3) × 20 = 68.0
    expect(r.dimensions.map((d) => [d.key, d.mean, d.count])).toEqual([
      ['service', 3.67, 3],
      ['env', 3, 2],
    ]);
    expect(r.satisfactionIndex).toBe(68);
    // no CSAT question: top-two boxes over all 1–5 answers: 5,5,4 | 4 | (3,2,2,3 no) → 4 of 8 = 50%
    expect(r.csat).toBe(50);
    // NPS: 10 promoter, 6 detractor, 8 passive → 0
    expect(r.nps).toBe(0);
    expect(r.responses).toBe(3);
    expect(r.responseRate).toBeNull();
    const q1 = r.questions.find((q) => q.key === 'q1')!;
    expect(q1.distribution.map((d) => [d.label, d.count])).toEqual([
      ['很满意', 1],
      ['满意', 1],
      ['一般', 1],
      ['不满意', 0],
      ['很不满意', 0],
    ]);
    expect(q1.mean).toBe(4);
    expect(r.questions.find((q) => q.key === 'q3')!.count).toBe(2);
    expect(r.texts.map((x) => x.text)).toEqual(['=HYPERLINK("http://evil")']);
    // version filter: nothing in a version without answers
    expect(
      (
        (
          await admin.get(`/api/surveys/${s.id}/results?version=1&from=2000-01-01&to=2000-01-02`)
        ).json() as TSurveyResults
      ).satisfactionIndex,
    ).toBeNull();

    const xlsx = await admin.get(`/api/surveys/${s.id}/results/export`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(cells).toContain('\'=HYPERLINK("http://evil")');
    expect(cells).not.toContain('=HYPERLINK("http://evil")');
    // 提交时间 is a real date cell showing the Shanghai wall clock (not a UTC instant, not a bare serial number).
    const submitted = (
      await t.pool.query(
        `select to_char(submitted_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') as local from survey_responses where survey_id = $1 order by id`,
        [s.id],
      )
    ).rows.map((r) => r.local as string);
    const ws = wb.worksheets[0]!;
    const shown = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getCell(i + 2, 1));
    expect(shown.every((c) => c.value instanceof Date)).toBe(true);
    expect(shown.length).toBe(submitted.length);
    for (const c of shown) expect(c.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(shown.map((c) => (c.value as Date).toISOString().slice(0, 19).replace('T', ' ')).sort()).toEqual(
      submitted.sort(),
    );
  });
});

describe('results filters and retries', () => {
  it('a response whose evaluation a manager excludes leaves the results (index, means, counts, trend); restoring it brings it back', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    expect((await submit(token, full, 'device-exclude-1')).statusCode).toBe(201);
    const low = await submit(token, { ...full, q1: 1, q2: 1, q3: 1, nps: 0 }, 'device-exclude-2');
    expect(low.statusCode).toBe(201);
    const get = async () => (await admin.get(`/api/surveys/${s.id}/results`)).json() as TSurveyResults;
    const both = await get();
    // service (4.5 + 1) / 2 = 2.75, env (3 + 1) / 2 = 2 → (0.6 × 2.75 + 0.4 × 2) × 20 = 49
    expect([both.responses, both.satisfactionIndex, both.nps]).toEqual([2, 49, 0]);
    const ev = (
      await t.pool.query("select id from evaluations where ref_type = 'survey_response' and ref_id = $1", [
        low.json().responseId,
      ])
    ).rows[0].id as string;
    const excluded = await admin.post(`/api/evaluations/${ev}/exclude`, { reason: '重复提交' });
    expect(excluded.statusCode, excluded.body).toBe(200);
    const after = await get();
    // service (5 + 4) / 2 = 4.5, env 3 → (0.6 × 4.5 + 0.4 × 3) × 20 = 78
    expect([after.responses, after.satisfactionIndex, after.nps]).toEqual([1, 78, 100]);
    expect(after.dimensions.map((d) => [d.key, d.mean, d.count])).toEqual([
      ['service', 4.5, 1],
      ['env', 3, 1],
    ]);
    expect(after.questions.find((q) => q.key === 'q1')!.distribution.find((d) => d.value === '1')!.count).toBe(0);
    expect(after.trend.reduce((a, m) => a + m.responses, 0)).toBe(1);
    expect((await admin.post(`/api/evaluations/${ev}/restore`, { reason: '复核后恢复' })).statusCode).toBe(200);
    expect(await get()).toEqual(both);
  });

  it('date range (tenant days) and version cut the figures', async () => {
    const s = await publishedSurvey();
    const token = await openToken(s.id);
    const real = t.clock.now();
    try {
      t.clock.set('2025-03-10T02:00:00Z'); // 10:00 Shanghai
      expect((await submit(token, { ...full, q1: 1, q2: 1, q3: 1 }, 'device-range-1')).statusCode).toBe(201);
      t.clock.set('2025-04-10T15:30:00Z'); // 23:30 Shanghai, still 10 April there
      expect((await submit(token, full, 'device-range-2')).statusCode).toBe(201);
    } finally {
      t.clock.set(real);
    }
    const get = async (qs: string) => (await admin.get(`/api/surveys/${s.id}/results${qs}`)).json() as TSurveyResults;
    expect((await get('?from=2025-03-01&to=2025-03-31')).responses).toBe(1);
    // service (1 + 1) / 2 = 1, env 1 → index 20
    expect((await get('?from=2025-03-01&to=2025-03-31')).satisfactionIndex).toBe(20);
    expect((await get('?from=2025-04-10&to=2025-04-10')).responses).toBe(1);
    expect((await get('?from=2025-04-11&to=2025-04-30')).responses).toBe(0);
    expect((await get('?version=1')).responses).toBe(2);
    expect((await get('')).trend.map((m) => m.month)).toEqual(['2025-03', '2025-04']);
    expectError(await admin.get(`/api/surveys/${s.id}/results?from=yesterday`), 400, 'VALIDATION_FAILED', [
      'querystring.from',
    ]);
  });

  it('a personal link retried with the Idempotency-Key of its stored response gets that response back', async () => {
    const s = await publishedSurvey();
    const customer = await createCustomer(t, admin, 'SH-LJZ');
    const { token } = (await admin.post(`/api/surveys/${s.id}/links`, { customerId: customer.id })).json();
    const first = await submit(token, full, 'device-retry-1');
    expect(first.statusCode).toBe(201);
    const retry = await submit(token, full, 'device-retry-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ responseId: first.json().responseId, isDuplicate: true });
    expectError(await submit(token, full, 'device-retry-2'), 410, 'SURVEY_LINK_USED');
    expect(await responsesOf(s.id)).toBe(1);
  });

  it('staff entry needs a published survey', async () => {
    const draft = (await admin.post('/api/surveys', { definition: definition() })).json() as TSurveyDetail;
    const c = await createCustomer(t, admin, 'SH-LJZ');
    expectError(
      await admin.post(`/api/surveys/${draft.id}/responses`, { customerId: c.id, answers: full }),
      410,
      'SURVEY_NOT_OPEN',
    );
  });
});

describe('e-mail invitations through the outbox', () => {
  it('one personal link and e-mail per customer through real SMTP; the reminder goes only to non-responders', async () => {
    const s = await publishedSurvey();
    const people = await Promise.all(
      ['a', 'b', 'c'].map((x) => createCustomer(t, admin, 'SH-LJZ', { email: `${x}.${s.id.slice(0, 6)}@example.cn` })),
    );
    const noEmail = await createCustomer(t, admin, 'SH-LJZ');
    mails.length = 0;
    const res = await admin.post(`/api/surveys/${s.id}/invitations`, {
      customerIds: [...people.map((p) => p.id), noEmail.id],
      remindAfterDays: 3,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ invited: 3, skippedNoEmail: 1, smtpConfigured: true });
    await t.jobs.idle();
    expect(mails.map((m) => m.to[0]).sort()).toEqual(
      people.map((p) => `${['a', 'b', 'c'][people.indexOf(p)]}.${s.id.slice(0, 6)}@example.cn`).sort(),
    );
    const status = async () =>
      (
        await t.pool.query(
          'select ref_type, status, count(*)::int as n from outbox_messages where ref_id in (select link_id from survey_invitations where survey_id = $1) group by 1, 2 order by 1, 2',
          [s.id],
        )
      ).rows;
    expect(await status()).toEqual([
      { ref_type: 'survey_invitation', status: 'sent', n: 3 },
      { ref_type: 'survey_reminder', status: 'queued', n: 3 },
    ]);

    // customer a answers through the link in their e-mail
    const mailA = mails.find((m) => m.to[0]!.startsWith('a.'))!;
    expect((await submit(tokenIn(mailA.raw), full, undefined, '203.0.113.50')).statusCode).toBe(201);

    // running the sender again before the reminder is due sends nothing
    mails.length = 0;
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
    expect(mails).toEqual([]);

    // The reminder is due after 3 days, but the invitation was a contact: the contact policy (7-day gap across
    // channels) holds the reminder until day 7.
    t.clock.advance(3 * 86_400_000 + 60_000);
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
    expect(mails).toEqual([]);
    t.clock.advance(4 * 86_400_000);
    try {
      await t.jobs.send('outbox-send', {});
      await t.jobs.idle();
      expect(mails.map((m) => m.to[0]!.slice(0, 2)).sort()).toEqual(['b.', 'c.']);
      expect(await status()).toEqual([
        { ref_type: 'survey_invitation', status: 'sent', n: 3 },
        { ref_type: 'survey_reminder', status: 'cancelled', n: 1 },
        { ref_type: 'survey_reminder', status: 'sent', n: 2 },
      ]);
      // never twice: another run sends nothing
      mails.length = 0;
      await t.jobs.send('outbox-send', {});
      await t.jobs.idle();
      expect(mails).toEqual([]);
    } finally {
      t.clock.advance(-(7 * 86_400_000 + 60_000));
    }

    const results = (await admin.get(`/api/surveys/${s.id}/results`)).json() as TSurveyResults;
    expect([results.invitations, results.invitedResponses, results.responseRate]).toEqual([3, 1, 33.3]);

    // the admin outbox page: the auditor (no pii:reveal) sees the addresses masked
    const auditor = await t.login('zhao.auditor');
    const page = await auditor.get('/api/outbox?pageSize=100');
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().smtpConfigured).toBe(true);
    const tos = (page.json().items as { to: string }[]).map((m) => m.to);
    expect(tos.length).toBeGreaterThanOrEqual(6);
    expect(tos).not.toContain(`a.${s.id.slice(0, 6)}@example.cn`);
    expect(tos.every((x) => x.includes('*'))).toBe(true);
  });

  it('without SMTP configured nothing is sent and messages stay queued', async () => {
    const [id] = await enqueueMessages(t.db, t.clock.now(), [
      { tenantId: t.tenantId, channel: 'email', to: 'q@example.cn', subject: '测试', body: '正文' },
    ]);
    mails.length = 0;
    // the sender of a server without SMTP_URL
    expect(
      await sendDueEmails({ db: t.db, clock: t.clock, mail: { smtpUrl: undefined, mailFrom: 'x@example.cn' } }),
    ).toEqual({ sent: 0, failed: 0, cancelled: 0 });
    expect(mails).toEqual([]);
    expect((await t.pool.query('select status, attempts from outbox_messages where id = $1', [id])).rows[0]).toEqual({
      status: 'queued',
      attempts: 0,
    });
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
  });

  it('a message left "sending" by a crashed sender is marked failed (delivery unknown), never resent on its own', async () => {
    const [id] = await enqueueMessages(t.db, t.clock.now(), [
      { tenantId: t.tenantId, channel: 'email', to: 'crash@example.cn', subject: '测试', body: '正文' },
    ]);
    await t.pool.query("update outbox_messages set status = 'sending', attempts = 1, claimed_at = $2 where id = $1", [
      id,
      new Date(t.clock.now().getTime() - 11 * 60_000),
    ]);
    mails.length = 0;
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
    expect(mails.filter((m) => m.to[0] === 'crash@example.cn')).toEqual([]);
    expect(
      (await t.pool.query('select status, last_error from outbox_messages where id = $1', [id])).rows[0],
    ).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/unknown/) });
    // the admin requeues it after checking; then it is sent once
    const res = await admin.post(`/api/outbox/${id}/requeue`, {});
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.idle();
    expect(mails.filter((m) => m.to[0] === 'crash@example.cn')).toHaveLength(1);
    expectError(await admin.post(`/api/outbox/${id}/requeue`, {}), 409, 'CONFLICT', ['params.id']);
  });

  it('invitations need a published survey and an explicit list or a saved filter (400 with the path)', async () => {
    const draft = (await admin.post('/api/surveys', { definition: definition() })).json() as TSurveyDetail;
    const c = await createCustomer(t, admin, 'SH-LJZ', { email: 'd@example.cn' });
    expectError(
      await admin.post(`/api/surveys/${draft.id}/invitations`, { customerIds: [c.id] }),
      410,
      'SURVEY_NOT_OPEN',
    );
    const s = await publishedSurvey();
    expectError(await admin.post(`/api/surveys/${s.id}/invitations`, {}), 400, 'VALIDATION_FAILED', [
      'body.customerIds',
    ]);
    const filter = await admin.post('/api/saved-filters', {
      entity: 'customer',
      name: '陆家嘴',
      filter: { q: c.name },
    });
    expect(filter.statusCode, filter.body).toBe(201);
    const res = await admin.post(`/api/surveys/${s.id}/invitations`, {
      savedFilterId: filter.json().id,
      remindAfterDays: null,
    });
    expect(res.json()).toMatchObject({ invited: 1, skippedNoEmail: 0 });
    await t.jobs.idle();
  });
});

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFeedbackItem, TFeedbackItemDetail, TFeedbackSummary, TSurveyDetail } from '@huifang/shared';
import { createCustomer } from '../../../test/customers-helpers.ts';
import { countRows, expectError, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { relinkEvaluations } from '../evaluations/evaluations.repository.ts';
import { recordEvaluation, type TNewEvaluation } from '../evaluations/evaluations.write.ts';
import { classifyLoadedHistory } from './feedback-backfill.ts';
import { onFeedbackClassified, type TClassifiedFeedback } from './feedback-consumer.ts';

let t: TTestApp;
let admin: TClient;
let zhang: TClient;
let li: TClient;
let auditor: TClient;
beforeAll(async () => {
  t = await createTestApp();
  [admin, zhang, li, auditor] = await Promise.all([
    t.login('admin'),
    t.login('zhang.manager'),
    t.login('li.manager'),
    t.login('zhao.auditor'),
  ]);
});
afterAll(async () => t.close());

describe('POST /api/feedback/classify', () => {
  it('answers the labels of each text, in order', async () => {
    const texts = ['环境不错，但是服务太差', '建议多开几个窗口', '柜员很耐心，非常满意', ''];
    const res = await zhang.post('/api/feedback/classify', { texts });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as {
      category: string;
      sentiment: string;
      score: number;
      topics: string[];
      keywords: string[];
    }[];
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ category: 'complaint', sentiment: 'negative' });
    expect(out[0]!.topics).toContain('服务态度');
    expect(out[1]).toMatchObject({ category: 'suggestion' });
    expect(out[2]).toMatchObject({ category: 'praise', sentiment: 'positive' });
    expect(out[3]).toMatchObject({ sentiment: 'neutral', keywords: [] });
    for (const o of out) expect(Math.abs(o.score)).toBeLessThanOrEqual(1);
  });

  it('takes 1,000 texts of 2,000 characters and refuses 1,001 texts, an empty list or a longer text (400, field named)', async () => {
    const long = '服务态度很好。'.repeat(300).slice(0, 2000);
    const ok = await zhang.post('/api/feedback/classify', {
      texts: Array.from({ length: 1000 }, (_, i) => (i % 100 ? '好' : long)),
    });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
    expect(ok.json()).toHaveLength(1000);
    expectError(
      await zhang.post('/api/feedback/classify', { texts: Array(1001).fill('好') }),
      400,
      'VALIDATION_FAILED',
      ['body.texts'],
    );
    expectError(await zhang.post('/api/feedback/classify', { texts: [] }), 400, 'VALIDATION_FAILED', ['body.texts']);
    expectError(await zhang.post('/api/feedback/classify', { texts: ['好', `${long}好`] }), 400, 'VALIDATION_FAILED', [
      'body.texts.1',
    ]);
    expectError(await zhang.post('/api/feedback/classify', { texts: [1] }), 400, 'VALIDATION_FAILED', ['body.texts.0']);
  });

  it('needs feedback:read', async () => {
    const teller = await t.login('chen.teller');
    expect(teller.me.permissions).not.toContain('feedback:read');
    expectError(await teller.post('/api/feedback/classify', { texts: ['好'] }), 403, 'FORBIDDEN');
  });
});

/** A published 上海分行 survey with a free-text question, and its open link. */
async function shanghaiSurvey(): Promise<{ survey: TSurveyDetail; token: string }> {
  const created = await admin.post('/api/surveys', {
    unitId: await unitIdByCode(t, 'SH'),
    definition: {
      title: '上海分行服务回访',
      description: '',
      dimensions: [{ key: 'service', name: '服务', weight: 100 }],
      questions: [
        { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
        { key: 'memo', type: 'text', title: '意见建议', required: false },
      ],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const survey = (await admin.post(`/api/surveys/${created.json().id}/publish`, {})).json() as TSurveyDetail;
  const link = await admin.post(`/api/surveys/${survey.id}/open-link`, {});
  expect(link.statusCode, link.body).toBe(200);
  return { survey, token: link.json().openToken };
}

const answer = (token: string, answers: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: `/api/s/${token}/responses`,
    payload: { answers },
    remoteAddress: '203.0.113.7',
  });

const itemsOf = async (client: TClient, query: string) => {
  const res = await client.get(`/api/feedback/items?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: TFeedbackItem[]; total: number; page: number; pageSize: number };
};

describe('a survey answer with text becomes a classified feedback item', () => {
  let itemId: string;
  const heard: TClassifiedFeedback[] = [];
  let stopListening: () => void;
  beforeAll(async () => {
    await t.runEvaluationEvents(); // the demo history first
    stopListening = onFeedbackClassified(async (_tx, item) => {
      heard.push(item);
    });
  });
  afterAll(() => stopListening());

  it('is stored by the evaluation consumer, exactly once, and a complaint is told to the listeners once', async () => {
    const { token } = await shanghaiSurvey();
    const text = '环境不错，但是柜员态度太差，排队等了一个小时';
    const res = await answer(token, { q1: 1, memo: text });
    expect(res.statusCode, res.body).toBe(201);
    const praise = await answer(token, { q1: 5 }); // no text: no item
    expect(praise.statusCode, praise.body).toBe(201);
    expect((await itemsOf(zhang, `q=${encodeURIComponent('柜员态度太差')}`)).total).toBe(0);

    await t.runEvaluationEvents();
    await t.runEvaluationEvents(); // a replay adds nothing
    const page = await itemsOf(zhang, `q=${encodeURIComponent('柜员态度太差')}`);
    expect(page.total).toBe(1);
    const item = page.items[0]!;
    itemId = item.id;
    expect(item).toMatchObject({
      channel: 'survey',
      text,
      category: 'complaint',
      sentiment: 'negative',
      isCorrected: false,
      model: { category: 'complaint', sentiment: 'negative' },
    });
    expect(item.topics).toEqual(expect.arrayContaining(['服务态度', '等待时间']));
    expect(item.model.keywords.length).toBeGreaterThan(0);
    for (const k of item.model.keywords) expect(text).toContain(k);
    expect(await countRows(t, 'select 1 from feedback_items where evaluation_id = $1', [item.evaluationId])).toBe(1);
    expect(heard.filter((h) => h.id === item.id)).toHaveLength(1);
    expect(heard.find((h) => h.id === item.id)).toMatchObject({ labels: { category: 'complaint' } });
  });

  it('filters by category, sentiment, topic, unit subtree, period and corrected', async () => {
    const sh = await unitIdByCode(t, 'SH');
    const hz = await unitIdByCode(t, 'HZ');
    const ids = async (query: string) => (await itemsOf(zhang, `pageSize=100&${query}`)).items.map((i) => i.id);
    expect(await ids('category=complaint&sentiment=negative&topic=等待时间')).toContain(itemId);
    expect(await ids('category=praise')).not.toContain(itemId);
    expect(await ids(`unitId=${sh}`)).toContain(itemId);
    expect(await ids(`unitId=${hz}`)).toEqual([]);
    const now = t.clock.now().getTime();
    expect(
      await ids(`from=${new Date(now - 3600_000).toISOString()}&to=${new Date(now + 3600_000).toISOString()}`),
    ).toContain(itemId);
    expect(await ids(`to=${new Date(now - 3600_000).toISOString()}`)).not.toContain(itemId);
    expect(await ids('corrected=false')).toContain(itemId);
    expectError(await zhang.get('/api/feedback/items?topic=天气'), 400, 'VALIDATION_FAILED', ['querystring.topic']);
    expectError(await zhang.get('/api/feedback/items?sort=text'), 400, 'VALIDATION_FAILED', ['querystring.sort']);
  });

  it('a manager of another branch does not see it: 404 on read and on correction, absent from list and summary', async () => {
    expectError(await li.get(`/api/feedback/items/${itemId}`), 404, 'NOT_FOUND');
    const before = await countRows(t, 'select 1 from feedback_label_corrections');
    expectError(await li.patch(`/api/feedback/items/${itemId}/labels`, { category: 'praise' }), 404, 'NOT_FOUND');
    expect(await countRows(t, 'select 1 from feedback_label_corrections')).toBe(before);
    expect((await itemsOf(li, 'pageSize=100')).items.map((i) => i.id)).not.toContain(itemId);
    const hzSummary = (await li.get('/api/feedback/summary')).json() as TFeedbackSummary;
    const all = (await admin.get('/api/feedback/summary')).json() as TFeedbackSummary;
    expect(hzSummary.total).toBeLessThan(all.total);
  });

  it('a correction is kept beside the model labels, with its history, audited and counted', async () => {
    const summaryBefore = (await zhang.get('/api/feedback/summary')).json() as TFeedbackSummary;
    expectError(await zhang.patch(`/api/feedback/items/${itemId}/labels`, {}), 400, 'VALIDATION_FAILED');
    expectError(
      await zhang.patch(`/api/feedback/items/${itemId}/labels`, { topics: ['天气'] }),
      400,
      'VALIDATION_FAILED',
      ['body.topics.0'],
    );
    expectError(await auditor.patch(`/api/feedback/items/${itemId}/labels`, { category: 'praise' }), 403, 'FORBIDDEN');
    expect(await countRows(t, 'select 1 from feedback_label_corrections where item_id = $1', [itemId])).toBe(0);

    const first = await zhang.patch(`/api/feedback/items/${itemId}/labels`, {
      category: 'suggestion',
      topics: ['等待时间'],
      reason: '客户主要在提排队的意见',
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      category: 'suggestion',
      sentiment: 'negative',
      topics: ['等待时间'],
      isCorrected: true,
      correctedById: zhang.me.user.id,
      model: { category: 'complaint', sentiment: 'negative' },
    });
    const second = await zhang.patch(`/api/feedback/items/${itemId}/labels`, { sentiment: 'neutral' });
    expect(second.statusCode, second.body).toBe(200);
    const detail = (await zhang.get(`/api/feedback/items/${itemId}`)).json() as TFeedbackItemDetail;
    expect(detail).toMatchObject({ category: 'suggestion', sentiment: 'neutral', topics: ['等待时间'] });
    expect(detail.corrections).toHaveLength(2);
    expect(detail.corrections[0]).toMatchObject({
      actorId: zhang.me.user.id,
      old: { category: 'complaint', sentiment: 'negative' },
      new: { category: 'suggestion', sentiment: 'negative', topics: ['等待时间'] },
      reason: '客户主要在提排队的意见',
    });
    expect(detail.corrections[1]).toMatchObject({
      old: { category: 'suggestion', sentiment: 'negative' },
      new: { category: 'suggestion', sentiment: 'neutral' },
    });
    expect(
      await countRows(t, "select 1 from audit_events where action = 'feedback.labels_corrected' and entity_id = $1", [
        itemId,
      ]),
    ).toBe(2);
    // The history is append-only.
    await expect(t.pool.query('delete from feedback_label_corrections where item_id = $1', [itemId])).rejects.toThrow(
      /append-only/,
    );

    const ids = async (query: string) => (await itemsOf(zhang, `pageSize=100&${query}`)).items.map((i) => i.id);
    expect(await ids('corrected=true')).toContain(itemId);
    expect(await ids('corrected=false')).not.toContain(itemId);
    expect(await ids('category=suggestion&sentiment=neutral')).toContain(itemId);
    expect(await ids('category=complaint')).not.toContain(itemId);

    const summary = (await zhang.get('/api/feedback/summary')).json() as TFeedbackSummary;
    expect(summary.total).toBe(summaryBefore.total);
    expect(summary.corrected).toBe(summaryBefore.corrected + 1);
    expect(summary.corrections).toBe(summaryBefore.corrections + 2);
    expect(summary.byCategory.complaint).toBe(summaryBefore.byCategory.complaint - 1);
    expect(summary.byCategory.suggestion).toBe(summaryBefore.byCategory.suggestion + 1);
    expect(summary.correctionRate).toBeCloseTo(summary.corrected / summary.total, 4);
  });
});

describe('loaded history and erasure', () => {
  const evaluation = async (over: Partial<TNewEvaluation>): Promise<TNewEvaluation> => ({
    tenantId: t.tenantId,
    channel: 'order_review',
    occurredAt: t.clock.now(),
    unitId: await unitIdByCode(t, 'SH-LJZ'),
    sourceType: 'link',
    score: 2,
    idempotencyKey: crypto.randomUUID(),
    ...over,
  });
  const itemOf = (evaluationId: string) =>
    t.pool
      .query<{ text: string; keywords: string[]; customer_id: string | null }>(
        'select text, keywords, customer_id from feedback_items where evaluation_id = $1',
        [evaluationId],
      )
      .then((r) => r.rows);

  it('the consumer leaves loaded history (isBackfill) to classifyLoadedHistory, which tells no listener', async () => {
    const heard: string[] = [];
    const stop = onFeedbackClassified(async (_tx, item) => {
      heard.push(item.evaluationId);
    });
    try {
      const loaded = await recordEvaluation(
        t.db,
        await evaluation({ text: '快递太慢了，包装也破了，差评', event: { isBackfill: true } }),
      );
      await t.runEvaluationEvents();
      expect(await itemOf(loaded.id)).toEqual([]);
      expect(await classifyLoadedHistory({ db: t.db }, t.tenantId)).toBeGreaterThanOrEqual(1);
      expect(await itemOf(loaded.id)).toHaveLength(1);
      expect(await classifyLoadedHistory({ db: t.db }, t.tenantId)).toBe(0);
      expect(heard).not.toContain(loaded.id);
    } finally {
      stop();
    }
  });

  it('a phone number in the text is masked for a reader without pii:reveal', async () => {
    const e = await recordEvaluation(
      t.db,
      await evaluation({ text: '柜员态度太差，请打我电话13812345678回复', idempotencyKey: crypto.randomUUID() }),
    );
    await t.runEvaluationEvents();
    const id = (await t.pool.query<{ id: string }>('select id from feedback_items where evaluation_id = $1', [e.id]))
      .rows[0]!.id;
    expect(zhang.me.permissions).toContain('pii:reveal');
    expect(auditor.me.permissions).not.toContain('pii:reveal');
    expect(((await zhang.get(`/api/feedback/items/${id}`)).json() as TFeedbackItem).text).toContain('13812345678');
    const masked = (await auditor.get(`/api/feedback/items/${id}`)).json() as TFeedbackItem;
    expect(masked.text).not.toContain('13812345678');
    expect(masked.text).toContain('柜员态度太差');
    for (const k of masked.model.keywords) expect(masked.text).toContain(k);
    const listed = (await itemsOf(auditor, `q=${encodeURIComponent('请打我电话')}`)).items[0]!;
    expect(listed.text).toBe(masked.text);
    // Nor can a search confirm the hidden digits.
    expectError(await auditor.get('/api/feedback/items?q=13812345678'), 400, 'VALIDATION_FAILED', ['querystring.q']);
    expect((await itemsOf(zhang, 'q=13812345678')).total).toBe(1);
  });

  it("erasing a customer clears the item's text and keywords with the evaluation's; a merge moves its customer", async () => {
    const [a, b, c] = [
      await createCustomer(t, zhang, 'SH-LJZ'),
      await createCustomer(t, zhang, 'SH-LJZ'),
      await createCustomer(t, zhang, 'SH-LJZ'),
    ];
    const erased = await recordEvaluation(t.db, await evaluation({ customerId: a.id, text: '王先生说柜员态度太差' }));
    const merged = await recordEvaluation(t.db, await evaluation({ customerId: b.id, text: '服务很好，谢谢' }));
    await t.runEvaluationEvents();
    expect((await itemOf(erased.id))[0]).toMatchObject({ text: '王先生说柜员态度太差', customer_id: a.id });
    expect((await itemOf(erased.id))[0]!.keywords.length).toBeGreaterThan(0);
    await t.db.transaction(async (tx) => {
      await relinkEvaluations(tx, t.tenantId, [a.id], null);
      await relinkEvaluations(tx, t.tenantId, [b.id], c.id);
    });
    expect(await itemOf(erased.id)).toEqual([{ text: '', keywords: [], customer_id: null }]);
    expect((await itemOf(merged.id))[0]).toMatchObject({ text: '服务很好，谢谢', customer_id: c.id });
  });
});

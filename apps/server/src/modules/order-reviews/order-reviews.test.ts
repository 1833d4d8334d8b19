import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TBuyerReview, TOrderReview, TPage, TShopScore } from '@huifang/shared';
import { createCustomer, letters } from '../../../test/customers-helpers.ts';
import { countRows, expectError, PNG_DATA_URL, unitIdByCode } from '../../../test/helpers.ts';
import { expectOneEventPerFact } from '../../../test/evaluation-events-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
let zhang: TClient; // 上海分行 manager: review:read + review:reply, subtree SH
let li: TClient; // 杭州分行 manager
let wang: TClient; // 陆家嘴 supervisor: review:read only
beforeAll(async () => {
  t = await createTestApp();
  [admin, zhang, li, wang] = await Promise.all([
    t.login('admin'),
    t.login('zhang.manager'),
    t.login('li.manager'),
    t.login('wang.supervisor'),
  ]);
  // Only units marked as shops have reviewable orders: each branch manager marks his shop (店铺设置).
  expect((await zhang.post('/api/order-reviews/shops', { unitId: await unitIdByCode(t, SHOP) })).statusCode).toBe(201);
  expect((await li.post('/api/order-reviews/shops', { unitId: await unitIdByCode(t, OTHER_SHOP) })).statusCode).toBe(
    201,
  );
});
afterAll(async () => t.close());

const SHOP = 'SH-LJZ';
const OTHER_SHOP = 'HZ-XH';
const dims = (d: number, s = d, l = d) => ({ description: d, service: s, logistics: l });
const ratingCount = () => countRows(t, 'select 1 from order_ratings');
const evaluationCount = () => countRows(t, "select 1 from evaluations where channel = 'order_review'");

/** A buyer (customer of the shop) through the API. */
async function buyer(shop = SHOP, by = admin) {
  return (await createCustomer(t, by, shop, { name: `买家${letters(4)}` })).id;
}

/** A completed order of the buyer at `completedAt`, and a buyer link for it. */
async function order(buyerId: string, completedAt: string, by = admin) {
  const orderNo = `E${letters(8)}`;
  const res = await by.post(`/api/customers/${buyerId}/transactions`, {
    kind: 'order',
    amountFen: 12_900,
    occurredAt: new Date(completedAt).toISOString(),
    orderNo,
  });
  expect(res.statusCode, res.body).toBe(201);
  const transactionId = res.json().id as string;
  const link = await zhang.post('/api/order-reviews/links', { transactionId });
  expect(link.statusCode, link.body).toBe(201);
  return { transactionId, orderNo, token: link.json().token as string };
}

const buyerGet = (token: string) => t.app.inject({ method: 'GET', url: `/api/review-links/${token}` });
const rate = (token: string, body: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/review-links/${token}/rating`, payload: body, headers });
const followup = (token: string, body: object) =>
  t.app.inject({ method: 'POST', url: `/api/review-links/${token}/followup`, payload: body });
const reviews = async (by: TClient, qs: string) => {
  const res = await by.get(`/api/order-reviews?${qs}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TPage<TOrderReview>;
};
const reviewOf = async (transactionId: string) => {
  const r = await t.pool.query('select id from order_ratings where transaction_id = $1', [transactionId]);
  return r.rows[0]?.id as string;
};

describe("shops: only a shop's orders are reviewable, on the shop's own dimensions", () => {
  it("a bank outlet's wealth-product purchase is not listed as 可评价 and gets no review link (400 on transactionId, nothing written)", async () => {
    t.clock.set('2026-05-10T10:00:00+08:00');
    const bankCustomer = (await createCustomer(t, admin, 'SH-XJH', { name: `客户${letters(4)}` })).id;
    const purchase = await admin.post(`/api/customers/${bankCustomer}/transactions`, {
      kind: 'order',
      amountFen: 29_200_000,
      occurredAt: '2026-05-08T10:00:00+08:00',
      orderNo: `LC${letters(6)}`,
      note: '理财产品认购',
    });
    expect(purchase.statusCode, purchase.body).toBe(201);
    const shopOrderBuyer = await buyer();
    const shopOrder = await admin.post(`/api/customers/${shopOrderBuyer}/transactions`, {
      kind: 'order',
      amountFen: 9_900,
      occurredAt: '2026-05-08T11:00:00+08:00',
      orderNo: `E${letters(8)}`,
    });
    const listed = (await zhang.get('/api/order-reviews/orders?pageSize=100')).json() as TPage<{
      transactionId: string;
      state: string;
    }>;
    expect(listed.items.map((o) => o.transactionId)).toContain(shopOrder.json().id);
    expect(listed.items.map((o) => o.transactionId)).not.toContain(purchase.json().id);
    const links = await countRows(t, 'select 1 from order_review_links');
    expectError(
      await zhang.post('/api/order-reviews/links', { transactionId: purchase.json().id }),
      400,
      'VALIDATION_FAILED',
      ['body.transactionId'],
    );
    expect(await countRows(t, 'select 1 from order_review_links')).toBe(links);
    // a transaction of another branch is still simply not found
    const hzCustomer = (await createCustomer(t, admin, 'HZ-XH', { name: `客户${letters(4)}` })).id;
    const hzOrder = await admin.post(`/api/customers/${hzCustomer}/transactions`, {
      kind: 'order',
      amountFen: 100,
      occurredAt: '2026-05-08T10:00:00+08:00',
    });
    expectError(await zhang.post('/api/order-reviews/links', { transactionId: hzOrder.json().id }), 404, 'NOT_FOUND');
    // a unit that is not a shop has no shop score
    expectError(
      await zhang.get(`/api/order-reviews/score?unitId=${await unitIdByCode(t, 'SH-XJH')}`),
      404,
      'NOT_FOUND',
    );
  });

  it("a manager sets a shop's dimensions; the buyer page asks them, the rating must give exactly them, the score shows them", async () => {
    t.clock.set('2026-05-10T10:00:00+08:00');
    const zj = await unitIdByCode(t, 'SH-ZJ');
    const created = await zhang.post('/api/order-reviews/shops', { unitId: zj });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().reviewDimensions.map((d: { name: string }) => d.name)).toEqual([
      '描述相符',
      '服务态度',
      '物流服务',
    ]);
    expectError(await zhang.post('/api/order-reviews/shops', { unitId: zj }), 400, 'VALIDATION_FAILED', [
      'body.unitId',
    ]);
    expectError(
      await li.post('/api/order-reviews/shops', { unitId: await unitIdByCode(t, 'SH-XJH') }),
      404,
      'NOT_FOUND',
      ['body.unitId'],
    );

    const put = (by: TClient, reviewDimensions: object[], unitId = zj) =>
      by.request({ method: 'PUT', url: `/api/order-reviews/shops/${unitId}`, payload: { reviewDimensions } });
    const custom = [
      { key: 'description', name: '描述相符' },
      { key: 'packaging', name: '包装完好' },
    ];
    expectError(await put(wang, custom), 403, 'FORBIDDEN');
    expectError(await put(li, custom), 404, 'NOT_FOUND');
    expectError(
      await put(zhang, [
        { key: 'description', name: '描述相符' },
        { key: 'description', name: '又一个' },
      ]),
      400,
      'VALIDATION_FAILED',
      ['body.reviewDimensions.1.key'],
    );
    expectError(await put(zhang, []), 400, 'VALIDATION_FAILED', ['body.reviewDimensions']);
    const saved = await put(zhang, custom);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().reviewDimensions).toEqual(custom);
    expect(
      (
        (await zhang.get('/api/order-reviews/shops')).json().items as { unitId: string; reviewDimensions: object[] }[]
      ).find((x) => x.unitId === zj)?.reviewDimensions,
    ).toEqual(custom);

    const b = await buyer('SH-ZJ');
    const o = await order(b, '2026-05-09T12:00:00+08:00');
    expect(((await buyerGet(o.token)).json() as TBuyerReview).reviewDimensions).toEqual(custom);
    const before = await ratingCount();
    expectError(await rate(o.token, { dimensions: dims(5) }), 400, 'VALIDATION_FAILED', [
      'body.dimensions.packaging',
      'body.dimensions.service',
      'body.dimensions.logistics',
    ]);
    expect(await ratingCount()).toBe(before);
    const ok = await rate(o.token, { dimensions: { description: 5, packaging: 3 } });
    expect(ok.statusCode, ok.body).toBe(201);
    const score = (await zhang.get(`/api/order-reviews/score?unitId=${zj}&asOf=2026-05-10`)).json() as TShopScore;
    expect(score.dimensions).toEqual([
      { key: 'description', name: '描述相符', score: 5, count: 1 },
      { key: 'packaging', name: '包装完好', score: 3, count: 1 },
    ]);
  });
});

describe('buyer link: rate a completed order', () => {
  it('shows only this order, stores the rating once, in the evaluation store too', async () => {
    t.clock.set('2026-03-05T10:00:00+08:00');
    const b = await buyer();
    const o = await order(b, '2026-03-02T12:00:00+08:00');
    const view = (await buyerGet(o.token)).json() as TBuyerReview;
    expect(view).toMatchObject({
      state: 'open',
      orderNo: o.orderNo,
      shopName: '陆家嘴支行',
      rating: null,
      canFollowup: false,
    });
    expect(JSON.stringify(view)).not.toMatch(/买家/);

    const res = await rate(
      o.token,
      { dimensions: dims(5, 4, 4), text: '包装很好，发货快', images: [PNG_DATA_URL] },
      { 'idempotency-key': 'k-1' },
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      state: 'rated',
      canFollowup: true,
      rating: { dimensions: dims(5, 4, 4), text: '包装很好，发货快', imageCount: 1 },
    });
    // The same submission again (double tap): the stored rating, nothing new.
    expect(
      (
        await rate(
          o.token,
          { dimensions: dims(5, 4, 4), text: '包装很好，发货快', images: [PNG_DATA_URL] },
          { 'idempotency-key': 'k-1' },
        )
      ).statusCode,
    ).toBe(200);
    // The same key with another body is not a replay.
    expectError(
      await rate(o.token, { dimensions: dims(5, 4, 4) }, { 'idempotency-key': 'k-1' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ['headers.idempotency-key'],
    );
    const ev = await t.pool.query("select * from evaluations where channel = 'order_review' and idempotency_key = $1", [
      `order_review:${o.transactionId}`,
    ]);
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0]).toMatchObject({
      customer_id: b,
      unit_id: await unitIdByCode(t, SHOP),
      ref_type: 'order_review',
      score: 4,
      dimensions: dims(5, 4, 4),
      text: '包装很好，发货快',
      source_type: 'link',
    });

    const list = await reviews(zhang, `q=${o.orderNo}`);
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      orderNo: o.orderNo,
      score: 4,
      isCounted: true,
      monthSeq: 1,
      monthKey: '2026-03',
      imageIds: [expect.any(String)],
    });
    const img = await zhang.get(`/api/order-reviews/${list.items[0]!.id}/images/${list.items[0]!.imageIds[0]}`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses bad input with field paths and writes nothing; an unknown token is 404', async () => {
    t.clock.set('2026-03-05T10:00:00+08:00');
    const o = await order(await buyer(), '2026-03-04T12:00:00+08:00');
    const before = [await ratingCount(), await evaluationCount()];
    expectError(
      await rate(o.token, { dimensions: { description: 5, service: 6, logistics: 4 } }),
      400,
      'VALIDATION_FAILED',
      ['body.dimensions.service'],
    );
    expectError(await rate(o.token, { dimensions: { description: 5, service: 4 } }), 400, 'VALIDATION_FAILED', [
      'body.dimensions.logistics',
    ]);
    // Claims to be a PNG, is HTML.
    const fake = `data:image/png;base64,${Buffer.from('<html><script>alert(1)</script></html>').toString('base64')}`;
    expectError(await rate(o.token, { dimensions: dims(5), images: [fake] }), 400, 'VALIDATION_FAILED', [
      'body.images.0',
    ]);
    const big = `data:image/png;base64,${Buffer.concat([Buffer.from(PNG_DATA_URL.split(',')[1]!, 'base64'), Buffer.alloc(210 * 1024)]).toString('base64')}`;
    expectError(await rate(o.token, { dimensions: dims(5), images: [big] }), 400, 'VALIDATION_FAILED', [
      'body.images.0',
    ]);
    expectError(
      await rate(o.token, { dimensions: dims(5) }, { 'idempotency-key': 'bad key with spaces' }),
      400,
      'VALIDATION_FAILED',
      ['headers.idempotency-key'],
    );
    expectError(await rate('x'.repeat(43), { dimensions: dims(5) }), 404, 'NOT_FOUND');
    expectError(await buyerGet('y'.repeat(43)), 404, 'NOT_FOUND');
    expect([await ratingCount(), await evaluationCount()]).toEqual(before);
  });
});

describe('rule: within 15 calendar days of completion (tenant time zone)', () => {
  it('completed 3-01 23:59 Shanghai: rating at 3-16 23:59:59 is accepted, at 3-17 00:00 refused and nothing is written', async () => {
    t.clock.set('2026-03-01T23:59:30+08:00');
    const b = await buyer();
    const ok = await order(b, '2026-03-01T23:59:00+08:00');
    const late = await order(b, '2026-03-01T23:59:00+08:00');
    t.clock.set('2026-03-16T23:59:59+08:00');
    expect((await rate(ok.token, { dimensions: dims(4) })).statusCode).toBe(201);
    t.clock.set('2026-03-17T00:00:00+08:00');
    const before = [await ratingCount(), await evaluationCount()];
    const res = expectError(await rate(late.token, { dimensions: dims(4) }), 409, 'REVIEW_WINDOW_CLOSED');
    expect(res.details?.[0]?.message).toBe('2026-03-16T16:00:00.000Z');
    expect([await ratingCount(), await evaluationCount()]).toEqual(before);
    expect((await buyerGet(late.token)).json()).toMatchObject({
      state: 'closed',
      rating: null,
      canFollowup: false,
      rateDeadline: '2026-03-16T16:00:00.000Z',
    });
  });
});

describe('rule: a rating can never be changed', () => {
  it('no route edits or deletes it, a second rating is 409, and the database refuses UPDATE / DELETE / TRUNCATE', async () => {
    t.clock.set('2026-04-02T10:00:00+08:00');
    const o = await order(await buyer(), '2026-04-01T10:00:00+08:00');
    expect((await rate(o.token, { dimensions: dims(2), text: '一般' })).statusCode).toBe(201);
    expectError(await rate(o.token, { dimensions: dims(5), text: '改成好评' }), 409, 'REVIEW_ALREADY_EXISTS');
    const writes = t.app.routeAccess.filter(
      (r) => r.url.startsWith('/api/order-reviews/:id') && !['GET', 'POST'].includes(r.method),
    );
    expect(writes).toEqual([]);
    const id = await reviewOf(o.transactionId);
    await expect(t.pool.query('update order_ratings set score = 5 where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(t.pool.query('update order_ratings set text = $2 where id = $1', [id, '改'])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.pool.query('delete from order_ratings where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(t.pool.query('truncate order_ratings cascade')).rejects.toThrow(/append-only/);
    const row = (await t.pool.query('select score, text, dimensions from order_ratings where id = $1', [id])).rows[0];
    expect(row).toEqual({ score: 2, text: '一般', dimensions: dims(2) });
  });
});

describe('rule: only the first three ratings of a buyer for a shop in a natural month count', () => {
  it('the 4th is stored but not counted; month edges follow Shanghai time while UTC is still in the previous day', async () => {
    t.clock.set('2026-05-20T10:00:00+08:00');
    const b = await buyer();
    const orders: Awaited<ReturnType<typeof order>>[] = [];
    for (let i = 0; i < 6; i++) orders.push(await order(b, '2026-05-20T09:00:00+08:00'));
    for (const [i, o] of orders.slice(0, 3).entries()) {
      t.clock.set(`2026-05-${21 + i}T10:00:00+08:00`);
      expect((await rate(o.token, { dimensions: dims(5) })).statusCode).toBe(201);
    }
    t.clock.set('2026-05-31T23:59:59+08:00'); // 15:59:59Z — 4th of May
    expect((await rate(orders[3]!.token, { dimensions: dims(1) })).statusCode).toBe(201);
    t.clock.set('2026-06-01T00:00:00+08:00'); // 2026-05-31T16:00Z in UTC, but June in Shanghai — 1st of June
    expect((await rate(orders[4]!.token, { dimensions: dims(3) })).statusCode).toBe(201);
    const rows = (
      await t.pool.query(
        'select month_key, month_seq, is_counted from order_ratings where buyer_key = $1 order by rated_at',
        [b],
      )
    ).rows;
    expect(rows).toEqual([
      { month_key: '2026-05', month_seq: 1, is_counted: true },
      { month_key: '2026-05', month_seq: 2, is_counted: true },
      { month_key: '2026-05', month_seq: 3, is_counted: true },
      { month_key: '2026-05', month_seq: 4, is_counted: false },
      { month_key: '2026-06', month_seq: 1, is_counted: true },
    ]);
    // In the evaluation store too (every rating lands there); only the score honours counted-ness.
    expect(
      await countRows(t, "select 1 from evaluations where channel = 'order_review' and customer_id = $1", [b]),
    ).toBe(5);
    const uncounted = await reviews(zhang, 'counted=false&pageSize=100');
    expect(uncounted.items.some((r) => r.monthSeq === 4 && r.transactionId === orders[3]!.transactionId)).toBe(true);
  });

  it('two ratings of the same buyer–shop pair at the same moment: exactly one is the counted 3rd', async () => {
    t.clock.set('2026-07-10T10:00:00+08:00');
    const b = await buyer();
    const orders: Awaited<ReturnType<typeof order>>[] = [];
    for (let i = 0; i < 4; i++) orders.push(await order(b, '2026-07-09T10:00:00+08:00'));
    for (const o of orders.slice(0, 2)) expect((await rate(o.token, { dimensions: dims(4) })).statusCode).toBe(201);
    const results = await Promise.all(orders.slice(2).map((o) => rate(o.token, { dimensions: dims(4) })));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201]);
    const rows = (
      await t.pool.query('select month_seq, is_counted from order_ratings where buyer_key = $1 order by month_seq', [b])
    ).rows;
    expect(rows).toEqual([
      { month_seq: 1, is_counted: true },
      { month_seq: 2, is_counted: true },
      { month_seq: 3, is_counted: true },
      { month_seq: 4, is_counted: false },
    ]);
  });
});

describe('rule: shop score = mean of counted ratings of the last six months as of the day asked', () => {
  it('is reproducible for any date and moves at the six-month edge', async () => {
    // A shop of its own so other tests do not disturb the figures.
    const created = await admin.post('/api/org-units', {
      parentId: await unitIdByCode(t, 'SH'),
      type: 'outlet',
      name: `线上店-${letters(4)}`,
    });
    expect(created.statusCode, created.body).toBe(201);
    const shopId = created.json().id as string;
    expect((await admin.post('/api/order-reviews/shops', { unitId: shopId })).statusCode).toBe(201);
    const mk = async () =>
      (await admin.post('/api/customers', { name: `买家${letters(4)}`, unitId: shopId })).json().id as string;
    t.clock.set('2026-01-10T09:00:00+08:00');
    const o1 = await order(await mk(), '2026-01-10T08:00:00+08:00');
    t.clock.set('2026-01-15T00:00:00+08:00');
    expect((await rate(o1.token, { dimensions: dims(5, 5, 2) })).statusCode).toBe(201);
    t.clock.set('2026-02-28T09:00:00+08:00');
    const o2 = await order(await mk(), '2026-02-27T12:00:00+08:00');
    t.clock.set('2026-03-01T00:00:00+08:00');
    expect((await rate(o2.token, { dimensions: dims(1, 1, 1) })).statusCode).toBe(201);
    let reader = zhang;
    const score = async (asOf: string) => {
      const res = await reader.get(`/api/order-reviews/score?unitId=${shopId}&asOf=${asOf}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as TShopScore;
    };
    const values = (s: TShopScore) => s.dimensions.map((d) => [d.key, d.score, d.count]);
    expect((await score('2026-01-14')).countedRatings).toBe(0);
    expect(values(await score('2026-01-15'))).toEqual([
      ['description', 5, 1],
      ['service', 5, 1],
      ['logistics', 2, 1],
    ]);
    expect(values(await score('2026-03-01'))).toEqual([
      ['description', 3, 2],
      ['service', 3, 2],
      ['logistics', 1.5, 2],
    ]);
    // As of 2026-07-14 the window starts 2026-01-15 00:00: the first rating is still in; as of 07-15 it is out.
    expect((await score('2026-07-14')).countedRatings).toBe(2);
    expect(values(await score('2026-07-15'))).toEqual([
      ['description', 1, 1],
      ['service', 1, 1],
      ['logistics', 1, 1],
    ]);
    expect((await score('2026-08-31')).countedRatings).toBe(1); // window from 03-01 00:00
    expect(values(await score('2026-09-01'))).toEqual([
      ['description', null, 0],
      ['service', null, 0],
      ['logistics', null, 0],
    ]);
    // Asking later does not change the past: the same date gives the same figures (now is 2026-03-01; ask again in 2027).
    t.clock.set('2027-01-01T10:00:00+08:00');
    reader = await t.login('zhang.manager'); // the clock jump ended the old session
    expect(values(await score('2026-03-01'))).toEqual([
      ['description', 3, 2],
      ['service', 3, 2],
      ['logistics', 1.5, 2],
    ]);
    const trend = await reader.get(`/api/order-reviews/score/trend?unitId=${shopId}&asOf=2026-03-15`);
    expect(trend.json().points.map((p: TShopScore) => [p.asOf, p.countedRatings])).toEqual([
      ['2025-10-31', 0],
      ['2025-11-30', 0],
      ['2025-12-31', 0],
      ['2026-01-31', 1],
      ['2026-02-28', 1],
      ['2026-03-15', 2],
    ]);
    expectError(await (await t.login('li.manager')).get(`/api/order-reviews/score?unitId=${shopId}`), 404, 'NOT_FOUND');
    expectError(await reader.get(`/api/order-reviews/score?unitId=${shopId}&asOf=2026-7-1`), 400, 'VALIDATION_FAILED', [
      'querystring.asOf',
    ]);
  });
});

describe('rule: one follow-up 追评 within 180 days (inclusive) of completion; not scored', () => {
  it('needs a rating, is accepted once on day 180, refused on day 181, and leaves the score alone', async () => {
    t.clock.set('2026-01-10T21:00:00+08:00');
    const b = await buyer();
    const early = await order(b, '2026-01-10T20:00:00+08:00');
    const late = await order(b, '2026-01-10T20:00:00+08:00');
    expectError(await followup(early.token, { text: '用了一段时间' }), 409, 'CONFLICT');
    expect((await rate(early.token, { dimensions: dims(4) })).statusCode).toBe(201);
    expect((await rate(late.token, { dimensions: dims(4) })).statusCode).toBe(201);
    const scoreBefore = (
      await t.pool.query('select score, dimensions, is_counted from order_ratings where transaction_id = $1', [
        early.transactionId,
      ])
    ).rows[0];
    t.clock.set('2026-07-09T23:59:59+08:00'); // day 180
    const ok = await followup(early.token, { text: '用了半年，质量不错', images: [PNG_DATA_URL] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ followup: { text: '用了半年，质量不错', imageCount: 1 }, canFollowup: false });
    expectError(await followup(early.token, { text: '再追一次' }), 409, 'REVIEW_ALREADY_EXISTS');
    t.clock.set('2026-07-10T00:00:00+08:00'); // day 181
    expectError(await followup(late.token, { text: '太晚了' }), 409, 'REVIEW_WINDOW_CLOSED');
    expect(
      await countRows(
        t,
        'select 1 from order_review_followups f join order_ratings r on r.id = f.rating_id where r.transaction_id = $1',
        [late.transactionId],
      ),
    ).toBe(0);
    expect(
      (
        await t.pool.query('select score, dimensions, is_counted from order_ratings where transaction_id = $1', [
          early.transactionId,
        ])
      ).rows[0],
    ).toEqual(scoreBefore);
    await expect(t.pool.query("update order_review_followups set text = 'x'")).rejects.toThrow(/append-only/);
    expectError(await followup(early.token, { text: '' }), 400, 'VALIDATION_FAILED', ['body.text']);
  });
});

describe('rule: the shop replies 解释 once, within 30 days of the review or follow-up', () => {
  it('once per review and per follow-up; day 31 refused; without review:reply 403; other branch 404', async () => {
    t.clock.set('2026-08-01T10:00:00+08:00');
    const o = await order(await buyer(), '2026-07-31T10:00:00+08:00');
    const o2 = await order(await buyer(), '2026-07-31T10:00:00+08:00');
    t.clock.set('2026-08-01T22:00:00+08:00');
    expect((await rate(o.token, { dimensions: dims(2), text: '物流太慢' })).statusCode).toBe(201);
    expect((await rate(o2.token, { dimensions: dims(3) })).statusCode).toBe(201);
    expect((await followup(o.token, { text: '后来客服处理了' })).statusCode).toBe(201);
    const id = await reviewOf(o.transactionId);
    const id2 = await reviewOf(o2.transactionId);
    const before = await countRows(t, 'select 1 from order_review_replies');
    expectError(
      await wang.post(`/api/order-reviews/${id}/reply`, { target: 'rating', text: '抱歉' }),
      403,
      'FORBIDDEN',
    );
    expectError(await li.post(`/api/order-reviews/${id}/reply`, { target: 'rating', text: '抱歉' }), 404, 'NOT_FOUND');
    expectError(
      await zhang.post(`/api/order-reviews/${id}/reply`, { target: 'rating', text: '' }),
      400,
      'VALIDATION_FAILED',
      ['body.text'],
    );
    expect(await countRows(t, 'select 1 from order_review_replies')).toBe(before);

    t.clock.set('2026-08-31T23:59:59+08:00'); // day 30 after 8-01
    const res = await zhang.post(`/api/order-reviews/${id}/reply`, { target: 'rating', text: '抱歉，已更换快递' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ reply: { text: '抱歉，已更换快递', repliedByName: '张伟' } });
    expectError(
      await zhang.post(`/api/order-reviews/${id}/reply`, { target: 'rating', text: '再解释一次' }),
      409,
      'REVIEW_ALREADY_EXISTS',
    );
    expect(
      (await zhang.post(`/api/order-reviews/${id}/reply`, { target: 'followup', text: '感谢追评' })).statusCode,
    ).toBe(200);
    expectError(
      await zhang.post(`/api/order-reviews/${id2}/reply`, { target: 'followup', text: '没有追评' }),
      404,
      'NOT_FOUND',
    );
    t.clock.set('2026-09-01T00:00:00+08:00'); // day 31
    expectError(
      await zhang.post(`/api/order-reviews/${id2}/reply`, { target: 'rating', text: '晚了' }),
      409,
      'REVIEW_WINDOW_CLOSED',
    );
    expect((await buyerGet(o.token)).json()).toMatchObject({
      rating: { reply: { text: '抱歉，已更换快递' } },
      followup: { reply: { text: '感谢追评' } },
    });
    await expect(t.pool.query('delete from order_review_replies')).rejects.toThrow(/append-only/);
  });
});

describe('anonymous reviews and scope', () => {
  it('an anonymous review shows no buyer name to the shop, even with pii:reveal; others are masked without it', async () => {
    t.clock.set('2026-09-10T10:00:00+08:00');
    const anon = await order(await buyer(), '2026-09-09T10:00:00+08:00');
    const named = await order(await buyer(), '2026-09-09T10:00:00+08:00');
    expect((await rate(anon.token, { dimensions: dims(5), isAnonymous: true })).statusCode).toBe(201);
    expect((await rate(named.token, { dimensions: dims(5) })).statusCode).toBe(201);
    const byAdmin = (await reviews(admin, 'pageSize=100&from=2026-09-10&to=2026-09-10')).items;
    const a = byAdmin.find((r) => r.transactionId === anon.transactionId)!;
    expect(a).toMatchObject({ isAnonymous: true, buyerName: null });
    expect(byAdmin.find((r) => r.transactionId === named.transactionId)!.buyerName).toMatch(/^买家/);
    const bySupervisor = (await reviews(wang, 'pageSize=100&from=2026-09-10&to=2026-09-10')).items;
    expect(bySupervisor.find((r) => r.transactionId === anon.transactionId)!.buyerName).toBeNull();
    expect(bySupervisor.find((r) => r.transactionId === named.transactionId)!.buyerName).toMatch(/^买\*+/);
    const detail = await zhang.get(`/api/order-reviews/${a.id}`);
    expect(detail.body).not.toMatch(/"buyerName":"/);
  });

  it("another branch's manager gets 404 for the review, its images and its order, and does not see it in lists", async () => {
    t.clock.set('2026-09-12T10:00:00+08:00');
    const o = await order(await buyer(), '2026-09-11T10:00:00+08:00');
    expect((await rate(o.token, { dimensions: dims(4), images: [PNG_DATA_URL] })).statusCode).toBe(201);
    const r = (await reviews(zhang, `q=${o.orderNo}`)).items[0]!;
    expectError(await li.get(`/api/order-reviews/${r.id}`), 404, 'NOT_FOUND');
    expectError(await li.get(`/api/order-reviews/${r.id}/images/${r.imageIds[0]}`), 404, 'NOT_FOUND');
    expectError(await li.post('/api/order-reviews/links', { transactionId: o.transactionId }), 404, 'NOT_FOUND');
    expect((await reviews(li, `q=${o.orderNo}`)).total).toBe(0);
    expect((await li.get(`/api/order-reviews/orders?q=${o.orderNo}`)).json().total).toBe(0);
    expect((await zhang.get(`/api/order-reviews/orders?q=${o.orderNo}`)).json().items[0]).toMatchObject({
      state: 'rated',
      ratingId: r.id,
    });
  });
});

describe('shop API (API clients of a shop)', () => {
  it('rates and follows up with a Bearer key, idempotently; another shop’s key gets 404; no or revoked key 401', async () => {
    t.clock.set('2026-10-05T10:00:00+08:00');
    const created = await admin.post('/api/api-clients', { unitId: await unitIdByCode(t, SHOP), name: '天猫同步' });
    expect(created.statusCode, created.body).toBe(201);
    const { key, id: clientId } = created.json() as { key: string; id: string };
    expect(key).toMatch(/^hfk_[A-Za-z0-9_-]{43}$/);
    expect(await countRows(t, 'select 1 from api_clients where key_hash = $1', [key])).toBe(0); // stored hashed
    const otherKey = (
      await admin.post('/api/api-clients', { unitId: await unitIdByCode(t, OTHER_SHOP), name: '其他店' })
    ).json().key as string;
    expectError(
      await admin.post('/api/api-clients', { unitId: await unitIdByCode(t, SHOP) }),
      400,
      'VALIDATION_FAILED',
      ['body.name'],
    );
    expectError(
      await li.post('/api/api-clients', { unitId: await unitIdByCode(t, SHOP), name: 'x' }),
      403,
      'FORBIDDEN',
    );

    const o = await order(await buyer(), '2026-10-04T10:00:00+08:00');
    const api = (path: string, body: object, k: string | null, idem?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/shop-api/orders/${path}`,
        payload: body,
        headers: { ...(k ? { authorization: `Bearer ${k}` } : {}), ...(idem ? { 'idempotency-key': idem } : {}) },
      });
    const before = await ratingCount();
    expectError(await api(`${o.orderNo}/rating`, { dimensions: dims(5) }, null), 401, 'UNAUTHENTICATED');
    expectError(await api(`${o.orderNo}/rating`, { bad: true }, null), 401, 'UNAUTHENTICATED'); // auth before validation
    expectError(await api(`${o.orderNo}/rating`, { dimensions: dims(5) }, otherKey), 404, 'NOT_FOUND');
    expectError(await api(`${o.orderNo}/rating`, { dimensions: dims(0) }, key), 400, 'VALIDATION_FAILED', [
      'body.dimensions.description',
    ]);
    expect(await ratingCount()).toBe(before);

    const first = await api(`${o.orderNo}/rating`, { dimensions: dims(5, 4, 5), text: '从天猫同步' }, key, 'tm-123');
    expect(first.statusCode, first.body).toBe(201);
    const replay = await api(`${o.orderNo}/rating`, { dimensions: dims(5, 4, 5), text: '从天猫同步' }, key, 'tm-123');
    expect(replay.statusCode).toBe(200);
    expect(replay.json().ratingId).toBe(first.json().ratingId);
    expectError(
      await api(`${o.orderNo}/rating`, { dimensions: dims(1, 1, 1), text: '从天猫同步' }, key, 'tm-123'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ['headers.idempotency-key'],
    );
    expectError(await api(`${o.orderNo}/rating`, { dimensions: dims(1) }, key, 'tm-124'), 409, 'REVIEW_ALREADY_EXISTS');
    // The key names one request of this sender: on another order it is refused, and nothing is written there.
    const o2 = await order(await buyer(), '2026-10-04T10:00:00+08:00');
    expectError(
      await api(`${o2.orderNo}/rating`, { dimensions: dims(5, 4, 5), text: '从天猫同步' }, key, 'tm-123'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ['headers.idempotency-key'],
    );
    expectError(await rate(o.token, { dimensions: dims(1) }), 409, 'REVIEW_ALREADY_EXISTS'); // same rules whatever the channel
    expect(await ratingCount()).toBe(before + 1);
    const ev = (
      await t.pool.query('select source_type, source_id from evaluations where idempotency_key = $1', [
        `order_review:${o.transactionId}`,
      ])
    ).rows;
    expect(ev).toEqual([{ source_type: 'api', source_id: clientId }]);

    const f = await api(`${o.transactionId}/followup`, { text: '追评：很好用' }, key, 'tm-f1');
    expect(f.statusCode, f.body).toBe(201);
    expect((await api(`${o.transactionId}/followup`, { text: '追评：很好用' }, key, 'tm-f1')).statusCode).toBe(200);
    expectError(
      await api(`${o.transactionId}/followup`, { text: '追评：不好用' }, key, 'tm-f1'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ['headers.idempotency-key'],
    );
    expect((await api(`${o2.orderNo}/rating`, { dimensions: dims(4) }, key, 'tm-125')).statusCode).toBe(201);
    expectError(
      await api(`${o2.transactionId}/followup`, { text: '追评：很好用' }, key, 'tm-f1'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ['headers.idempotency-key'],
    );
    t.clock.set('2026-10-20T00:00:00+08:00'); // day 16 after 10-04
    const late = await order(await buyer(), '2026-10-04T10:00:00+08:00');
    expectError(await api(`${late.orderNo}/rating`, { dimensions: dims(5) }, key), 409, 'REVIEW_WINDOW_CLOSED');

    expect((await admin.post(`/api/api-clients/${clientId}/revoke`)).statusCode).toBe(200);
    expectError(await api(`${late.orderNo}/rating`, { dimensions: dims(5) }, key), 401, 'UNAUTHENTICATED');
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/shop-api/orders/{order}/rating', '/api/shop-api/orders/{order}/followup']),
    );
    expect(spec.components.securitySchemes.shopApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Whatever the channel, each evaluation it stored has exactly one event (modules/evaluations).
    await expectOneEventPerFact(t);
  });
});

describe('export', () => {
  it('downloads the filtered list as xlsx and writes an audit row', async () => {
    const res = await zhang.get('/api/order-reviews/export?counted=false');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(await countRows(t, "select 1 from audit_events where action = 'order_review.exported'")).toBeGreaterThan(0);
    // 评价时间 is a real date cell showing the Shanghai wall clock; the file is named by the local date.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const first = wb.worksheets[0]!.getCell('A2');
    expect(first.value).toBeInstanceOf(Date);
    expect(first.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    const stamps = (
      await t.pool.query(
        `select to_char(rated_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') as local from order_ratings where not is_counted`,
      )
    ).rows.map((r) => r.local as string);
    expect(stamps).toContain((first.value as Date).toISOString().slice(0, 19).replace('T', ' '));
    const today = (
      await t.pool.query(`select to_char($1::timestamptz at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as d`, [
        t.clock.now(),
      ])
    ).rows[0].d as string;
    expect(res.headers['content-disposition']).toContain(`filename="order-reviews-${today}.xlsx"`);
  });
});

describe('deletion request of a buyer', () => {
  it('keeps the rating for the score history but drops the order link, text, images and follow-up text', async () => {
    t.clock.set('2026-11-02T10:00:00+08:00');
    const b = await buyer();
    const o = await order(b, '2026-11-01T10:00:00+08:00');
    expect(
      (await rate(o.token, { dimensions: dims(3), text: '我的个人评价', images: [PNG_DATA_URL] })).statusCode,
    ).toBe(201);
    expect((await followup(o.token, { text: '我的追评' })).statusCode).toBe(201);
    const id = await reviewOf(o.transactionId);
    const res = await admin.del(`/api/customers/${b}`);
    expect(res.statusCode, res.body).toBe(200);
    const row = (
      await t.pool.query(
        'select transaction_id, text, is_anonymous, score, is_counted from order_ratings where id = $1',
        [id],
      )
    ).rows[0];
    expect(row).toEqual({ transaction_id: null, text: null, is_anonymous: true, score: 3, is_counted: true });
    expect((await t.pool.query('select text from order_review_followups where rating_id = $1', [id])).rows).toEqual([
      { text: null },
    ]);
    expect(await countRows(t, 'select 1 from order_review_images where rating_id = $1', [id])).toBe(0);
    expectError(await buyerGet(o.token), 404, 'NOT_FOUND');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOP_CODE, loadDemoOrderReviews } from '../bootstrap/demo-order-reviews.ts';
import { countRows, unitIdByCode } from '../../../test/helpers.ts';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('demo e-commerce shop', () => {
  it('loads 18 months of orders and reviews that follow the rules, once', async () => {
    t.clock.set('2026-06-15T12:00:00+08:00');
    const n = await loadDemoOrderReviews(t, t.tenantId);
    expect(n).toBeGreaterThan(1000);
    expect(await loadDemoOrderReviews(t, t.tenantId)).toBe(0);
    const shop = await unitIdByCode(t, DEMO_SHOP_CODE);
    // Every rating inside its 15-day window; counted = first three of the buyer in the month; evaluations mirror them.
    expect(
      await countRows(
        t,
        'select 1 from order_ratings r join tenants te on te.id = r.tenant_id where (r.rated_at at time zone te.time_zone)::date > (r.completed_at at time zone te.time_zone)::date + 15',
      ),
    ).toBe(0);
    expect(await countRows(t, 'select 1 from order_ratings where is_counted <> (month_seq <= 3)')).toBe(0);
    expect(await countRows(t, 'select 1 from order_ratings where not is_counted')).toBeGreaterThan(0);
    expect(
      await countRows(
        t,
        "select 1 from order_ratings r where not exists (select 1 from evaluations e where e.id = r.evaluation_id and e.channel = 'order_review' and e.score = r.score)",
      ),
    ).toBe(0);
    expect(await countRows(t, 'select 1 from order_review_followups')).toBeGreaterThan(0);
    expect(await countRows(t, 'select 1 from order_review_replies')).toBeGreaterThan(0);
    const admin = await t.login('admin');
    const score = (await admin.get(`/api/order-reviews/score?unitId=${shop}`)).json();
    expect(score.countedRatings).toBeGreaterThan(100);
    expect(score.dimensions[0].score).toBeGreaterThan(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSurveyResults } from '@huifang/shared';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';
import { loadDemoCustomers } from '../bootstrap/demo-customers.ts';
import { loadDemoSurveys } from '../bootstrap/demo-surveys.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadDemoCustomers(t, t.tenantId, 300);
});
afterAll(async () => t.close());

describe('demo survey data', () => {
  it('18 months of template responses with a weaker dimension and a Spring Festival dip; loads once', async () => {
    const n = await loadDemoSurveys(t, t.tenantId);
    expect(n).toBeGreaterThan(2000);
    expect(await loadDemoSurveys(t, t.tenantId)).toBe(0);
    const admin = await t.login('admin');
    const list = (await admin.get('/api/surveys?q=消费品')).json();
    const id = list.items[0].id as string;
    const r = (await admin.get(`/api/surveys/${id}/results`)).json() as TSurveyResults;
    expect(r.responses).toBe(n);
    expect(r.trend.length).toBeGreaterThanOrEqual(18);
    const price = r.dimensions.find((d) => d.key === 'price')!.mean!;
    expect(Math.min(...r.dimensions.map((d) => d.mean ?? 5))).toBe(price);
    expect(r.satisfactionIndex).toBeGreaterThan(60);
    expect(r.satisfactionIndex).toBeLessThan(85);
    expect(r.responseRate).toBeGreaterThan(40);
    const febs = r.trend.filter((m) => m.month.endsWith('-02')).map((m) => m.index!);
    const junes = r.trend.filter((m) => m.month.endsWith('-06')).map((m) => m.index!);
    expect(Math.max(...febs)).toBeLessThan(Math.min(...junes));
    // every response is in the evaluation store too
    const ev = await t.pool.query(
      "select count(*)::int as n from evaluations where ref_type = 'survey_response' and channel = 'survey'",
    );
    expect(ev.rows[0].n).toBe(n);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('saved filters', () => {
  it('saves a valid filter, shares it, lets only the owner delete it, and refuses invalid filters', async () => {
    const zhang = await t.login('zhang.manager');
    const li = await t.login('li.manager');
    const bad = await zhang.post('/api/saved-filters', { name: '坏的', filter: { pageSize: '5', sort: 'drop table' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('body.filter.sort');
    const own = await zhang.post('/api/saved-filters', { name: 'VIP 客户', filter: { tier: 'VIP', tags: '理财客户' } });
    expect(own.statusCode, own.body).toBe(201);
    const shared = await zhang.post('/api/saved-filters', {
      name: '意向强',
      filter: { intentLevel: '马上要做' },
      isShared: true,
    });
    const liSees = (await li.get('/api/saved-filters')).json().items.map((f: { name: string }) => f.name);
    expect(liSees).toContain('意向强');
    expect(liSees).not.toContain('VIP 客户');
    expect((await li.del(`/api/saved-filters/${shared.json().id}`)).statusCode).toBe(404);
    expect((await zhang.del(`/api/saved-filters/${shared.json().id}`)).statusCode).toBe(200);
  });
});

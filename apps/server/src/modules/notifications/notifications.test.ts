import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let zhang: TClient;
beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.login('zhang.manager');
});
afterAll(async () => t?.close());

/** Notifications of zhang.manager as their writers leave them, `minutesAgo` before the test clock. */
async function insert(kind: string, title: string, minutesAgo: number) {
  const at = new Date(t.clock.now().getTime() - minutesAgo * 60_000);
  await t.pool.query(
    `insert into notifications (tenant_id, user_id, kind, title, created_at) select tenant_id, id, $2, $3, $4 from users where id = $1`,
    [zhang.me.user.id, kind, title, at],
  );
}

describe('the bell', () => {
  it('keeps an unread 不满意 at the top when a burst of newer reminders follows it; once read it takes its place by time', async () => {
    await insert('evaluation.unsatisfied', '不满意：陆家嘴支行 1号窗口', 30);
    // The quarter-hourly reminder job: one escalation per overdue task, all newer than the 不满意.
    for (let i = 0; i < 12; i++) await insert('followup.escalated', `回访升级: 客户 ${i}`, 20 - i);
    const list = (await zhang.get('/api/notifications?limit=10')).json() as {
      items: { id: string; kind: string; title: string }[];
      unreadCount: number;
    };
    expect(list.unreadCount).toBe(13);
    expect(list.items).toHaveLength(10);
    expect(list.items[0]).toMatchObject({ kind: 'evaluation.unsatisfied', title: '不满意：陆家嘴支行 1号窗口' });
    // The rest newest first.
    expect(list.items.slice(1).map((n) => n.title)).toEqual(
      [11, 10, 9, 8, 7, 6, 5, 4, 3].map((i) => `回访升级: 客户 ${i}`),
    );

    expect((await zhang.post(`/api/notifications/${list.items[0]!.id}/read`)).statusCode).toBe(200);
    const after = (await zhang.get('/api/notifications?limit=10')).json() as {
      items: { kind: string }[];
      unreadCount: number;
    };
    expect(after.unreadCount).toBe(12);
    expect(after.items.map((n) => n.kind)).toEqual(Array(10).fill('followup.escalated'));
  });
});

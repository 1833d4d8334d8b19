import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../../../test/helpers.ts';
import { createCustomer, idsOf, letters, listCustomers, namesOf } from '../../../test/customers-helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';

let t: TTestApp;
let admin: TClient;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(async () => t.close());

/** Every test tags its customers with a fresh tag and lists with it, so other tests' customers never interfere. */
const sorted = (ids: string[]) => [...ids].sort();

describe('GET /api/customers — pagination and sort', () => {
  it('pages with the one contract { items, total, page, pageSize }, pages do not overlap', async () => {
    const tag = letters(8);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      made.push((await createCustomer(t, admin, 'SH', { tags: [tag] })).id);
    }
    const p1 = await listCustomers(admin, { tags: tag, pageSize: 2, page: 1 });
    const p2 = await listCustomers(admin, { tags: tag, pageSize: 2, page: 2 });
    const p3 = await listCustomers(admin, { tags: tag, pageSize: 2, page: 3 });
    const p4 = await listCustomers(admin, { tags: tag, pageSize: 2, page: 4 });
    expect(Object.keys(p1).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
    expect([p1, p2, p3, p4].map((p) => [p.total, p.page, p.pageSize, p.items.length])).toEqual([
      [5, 1, 2, 2],
      [5, 2, 2, 2],
      [5, 3, 2, 1],
      [5, 4, 2, 0],
    ]);
    // Default order: newest first.
    expect([...idsOf(p1), ...idsOf(p2), ...idsOf(p3)]).toEqual([...made].reverse());
  });

  it('sorts by name and by createdAt either way; an unknown or malformed sort is a 400 on querystring.sort', async () => {
    const tag = letters(8);
    const base = `排序-${letters(6)}`;
    const made: string[] = [];
    for (const suffix of ['B', 'C', 'A']) {
      t.clock.advance(1000);
      made.push((await createCustomer(t, admin, 'SH', { name: `${base}-${suffix}`, tags: [tag] })).id);
    }
    expect(namesOf(await listCustomers(admin, { tags: tag, sort: 'name' }))).toEqual([
      `${base}-A`,
      `${base}-B`,
      `${base}-C`,
    ]);
    expect(namesOf(await listCustomers(admin, { tags: tag, sort: '-name' }))).toEqual([
      `${base}-C`,
      `${base}-B`,
      `${base}-A`,
    ]);
    expect(idsOf(await listCustomers(admin, { tags: tag, sort: '-createdAt' }))).toEqual([made[2], made[1], made[0]]);
    expect(idsOf(await listCustomers(admin, { tags: tag, sort: 'createdAt' }))).toEqual(made);
    for (const sort of ['phones', '-idNumber', 'name;drop', '-']) {
      expectError(await admin.get(`/api/customers?sort=${encodeURIComponent(sort)}`), 400, 'VALIDATION_FAILED', [
        'querystring.sort',
      ]);
    }
  });

  it.each([
    ['pageSize=101', 'querystring.pageSize'],
    ['pageSize=0', 'querystring.pageSize'],
    ['page=0', 'querystring.page'],
    ['kind=person', 'querystring.kind'],
    ['createdFrom=yesterday', 'querystring.createdFrom'],
    ['unitId=SH', 'querystring.unitId'],
  ])('refuses %s with 400 on %s', async (qs, path) => {
    expectError(await admin.get(`/api/customers?${qs}`), 400, 'VALIDATION_FAILED', [path]);
  });
});

describe('GET /api/customers — filters', () => {
  it('filters by tier, intent level and kind, and combines them', async () => {
    const tag = letters(8);
    const a = await createCustomer(t, admin, 'SH', {
      tags: [tag],
      tier: 'VIP',
      intentLevel: '考虑中',
      kind: 'individual',
    });
    const b = await createCustomer(t, admin, 'SH', {
      tags: [tag],
      tier: '普通',
      intentLevel: '考虑中',
      kind: 'company',
    });
    const c = await createCustomer(t, admin, 'SH', { tags: [tag], tier: 'VIP', intentLevel: '关注', kind: 'company' });
    const ids = async (q: Record<string, string>) => sorted(idsOf(await listCustomers(admin, { tags: tag, ...q })));
    expect(await ids({})).toEqual(sorted([a.id, b.id, c.id]));
    expect(await ids({ tier: 'VIP' })).toEqual(sorted([a.id, c.id]));
    expect(await ids({ intentLevel: '考虑中' })).toEqual(sorted([a.id, b.id]));
    expect(await ids({ kind: 'company' })).toEqual(sorted([b.id, c.id]));
    expect(await ids({ kind: 'individual' })).toEqual([a.id]);
    expect(await ids({ tier: 'VIP', kind: 'company' })).toEqual([c.id]);
    expect(await ids({ tier: '重要' })).toEqual([]);
  });

  it('filters by tags: a customer must carry all of them', async () => {
    const [x, y, z] = [letters(8), letters(8), letters(8)];
    const xy = await createCustomer(t, admin, 'SH', { tags: [x, y] });
    const onlyX = await createCustomer(t, admin, 'SH', { tags: [x] });
    await createCustomer(t, admin, 'SH', { tags: [y] });
    const xyz = await createCustomer(t, admin, 'SH', { tags: [x, y, z] });
    const ids = async (tags: string) => sorted(idsOf(await listCustomers(admin, { tags })));
    expect(await ids(`${x},${y}`)).toEqual(sorted([xy.id, xyz.id]));
    expect(await ids(x)).toEqual(sorted([xy.id, onlyX.id, xyz.id]));
    expect(await ids(`${x}, ${z}`)).toEqual([xyz.id]);
  });

  it('filters by unit: the unit and everything below it', async () => {
    const tag = letters(8);
    const make = async (code: string) => (await createCustomer(t, admin, code, { tags: [tag] })).id;
    const [sh, ljz, ljzW1, xjh, hz] = [
      await make('SH'),
      await make('SH-LJZ'),
      await make('SH-LJZ-W1'),
      await make('SH-XJH'),
      await make('HZ-XH'),
    ];
    const ids = async (code: string) => {
      const unitId = (
        await t.pool.query('select id from org_units where tenant_id = $1 and code = $2', [t.tenantId, code])
      ).rows[0].id as string;
      return sorted(idsOf(await listCustomers(admin, { tags: tag, unitId })));
    };
    expect(await ids('SH')).toEqual(sorted([sh, ljz, ljzW1, xjh]));
    expect(await ids('SH-LJZ')).toEqual(sorted([ljz, ljzW1]));
    expect(await ids('SH-LJZ-W1')).toEqual([ljzW1]);
    expect(await ids('HZ')).toEqual([hz]);
    expect(await ids('HQ')).toEqual(sorted([sh, ljz, ljzW1, xjh, hz]));
  });

  it('filters by creation time, both bounds inclusive', async () => {
    const tag = letters(8);
    const made: { id: string; at: string }[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(60_000);
      const c = await createCustomer(t, admin, 'SH', { tags: [tag] });
      made.push({ id: c.id, at: c.createdAt });
    }
    const [x, y, z] = made as [{ id: string; at: string }, { id: string; at: string }, { id: string; at: string }];
    expect(z.at).toBe(t.clock.now().toISOString()); // createdAt is the app clock's time
    const ids = async (q: Record<string, string>) => sorted(idsOf(await listCustomers(admin, { tags: tag, ...q })));
    expect(await ids({ createdFrom: y.at })).toEqual(sorted([y.id, z.id]));
    expect(await ids({ createdTo: y.at })).toEqual(sorted([x.id, y.id]));
    expect(await ids({ createdFrom: y.at, createdTo: y.at })).toEqual([y.id]);
    // An offset other than Z means the same instant.
    const plus8 = new Date(new Date(z.at).getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    expect(await ids({ createdFrom: plus8 })).toEqual([z.id]);
    expect(await ids({ createdFrom: new Date(new Date(z.at).getTime() + 1000).toISOString() })).toEqual([]);
  });
});

describe('GET /api/customers — search', () => {
  it('finds customers by a fragment of the name, case-insensitively, with LIKE wildcards taken literally', async () => {
    const tag = letters(8);
    const tok = letters(6);
    const a = await createCustomer(t, admin, 'SH', { name: `王小明-${tok}`, tags: [tag] });
    const b = await createCustomer(t, admin, 'SH', { name: `王大明-${tok}`, tags: [tag] });
    const c = await createCustomer(t, admin, 'SH', { name: `李四-${tok}`, tags: [tag] });
    const ids = async (q: string, withTag = true) =>
      sorted(idsOf(await listCustomers(admin, { q, ...(withTag ? { tags: tag } : {}), pageSize: 100 })));
    expect(await ids('小明')).toEqual([a.id]);
    expect(await ids('王')).toEqual(sorted([a.id, b.id]));
    expect(await ids(tok, false)).toEqual(sorted([a.id, b.id, c.id]));
    expect(await ids(tok.toUpperCase(), false)).toEqual(sorted([a.id, b.id, c.id]));
    expect(await ids('%')).toEqual([]);
    expect(await ids('_')).toEqual([]);
  });

  it('finds customers by a fragment (3+ digits) of any of their phones', async () => {
    const tag = letters(8);
    const p1 = await createCustomer(t, admin, 'SH', { tags: [tag], phones: ['13912345678'] });
    const p2 = await createCustomer(t, admin, 'SH', { tags: [tag], phones: ['13698765432', '15811112222'] });
    const p3 = await createCustomer(t, admin, 'SH', { tags: [tag], phones: ['021-55557777'] });
    const ids = async (q: string) => sorted(idsOf(await listCustomers(admin, { q, tags: tag })));
    expect(await ids('5678')).toEqual([p1.id]); // last four digits
    expect(await ids('1234')).toEqual([p1.id]); // middle digits
    expect(await ids('139 1234')).toEqual([p1.id]); // typed with a space
    expect(await ids('1111')).toEqual([p2.id]); // digits of the second phone
    expect(await ids('98765')).toEqual([p2.id]);
    expect(await ids('021-5555')).toEqual([p3.id]); // landline with its dash
    expect(await ids('7777')).toEqual([p3.id]);
    expect(await ids('13')).toEqual([]); // two digits: a name search, and no name has them
    expect(await ids('000')).toEqual([]);
    // The fragment finds it without other filters too.
    expect(idsOf(await listCustomers(admin, { q: '13912345678' }))).toContain(p1.id);
  });

  it('treats a whole phone number as that phone, however it is typed (+86, spaces, dashes, full-width), not as a name', async () => {
    const tag = letters(8);
    const digits = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const mobile = await createCustomer(t, admin, 'SH', { tags: [tag], phones: [digits] });
    const land = await createCustomer(t, admin, 'SH', { tags: [tag], phones: ['0571-88889999'] });
    // A customer whose *name* holds the typed text must not match a phone search.
    await createCustomer(t, admin, 'SH', { tags: [tag], name: `+86 ${digits}` });
    const ids = async (q: string) => sorted(idsOf(await listCustomers(admin, { q, tags: tag })));
    const spaced = `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
    expect(await ids(`+86 ${spaced}`)).toEqual([mobile.id]);
    expect(await ids(`+86${digits}`)).toEqual([mobile.id]);
    expect(await ids(`0086-${digits}`)).toEqual([mobile.id]);
    expect(await ids(digits.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))))).toEqual([mobile.id]); // full-width
    expect(await ids('+86 571 8888 9999')).toEqual([land.id]);
    expect(await ids('(0571) 88889999')).toEqual([land.id]);
    // A fragment typed with +86 is still a phone fragment.
    expect(await ids(`+86 ${digits.slice(0, 7)}`)).toEqual([mobile.id]);
  });
});

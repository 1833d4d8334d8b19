import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import type { TCustomerColumns, TImportRow } from './import-rows.ts';
import { findExisting, PreviousBatchFailed, writeBatch } from './import-write.ts';
import { recoverImports } from './imports.service.ts';

let t: TTestApp;
let admin: TClient;
let shUnit: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-imports-test-'));
const uploadDir = path.join(dataDir, 'imports');
const filesOnDisk = () => (fs.existsSync(uploadDir) ? fs.readdirSync(uploadDir) : []);
beforeAll(async () => {
  t = await createTestApp({ env: { DATA_DIR: dataDir } });
  admin = await t.login('admin');
  shUnit = (await t.pool.query(`select id from org_units where code = 'SH'`)).rows[0].id;
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const uniq = () => Math.random().toString(36).slice(2, 8);
const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

async function uploadFile(
  c: TClient,
  body: Buffer | string | Readable,
  fileName = 'customers.csv',
  contentType = 'text/csv',
  extra = '',
) {
  return c.request({
    method: 'POST',
    url: `/api/customer-imports?fileName=${encodeURIComponent(fileName)}${extra}`,
    payload: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { 'content-type': contentType },
  });
}

async function runToEnd(c: TClient, jobId: string, mapping: Record<string, string>, upsertKey = 'phone') {
  const res = await c.post(`/api/customer-imports/${jobId}/start`, { mapping, upsertKey, defaultUnitId: shUnit });
  expect(res.statusCode, res.body).toBe(200);
  await t.jobs.idle();
  return (await c.get(`/api/customer-imports/${jobId}`)).json();
}

const count = async (where: string, args: unknown[]) =>
  Number((await t.pool.query(`select count(*) from customers where ${where}`, args)).rows[0].count);

describe('customer import', () => {
  it('lands the good rows, reports each bad row with column and reason, and re-imports the fixed file by phone', async () => {
    const tag = uniq();
    const [p1, p2, p3] = [phone(), phone(), phone()];
    const csv = [
      '姓名,手机,邮箱,标签',
      `好客户一${tag},${p1},a@example.com,${tag}`,
      `好客户二${tag},${p2},,${tag}`,
      `坏电话${tag},12345,,${tag}`,
      `,${p3},,${tag}`,
      `重复${tag},${p1},,${tag}`,
    ].join('\r\n');
    const up = await uploadFile(admin, csv);
    expect(up.statusCode, up.body).toBe(201);
    const u = up.json();
    expect(u.headers).toEqual(['姓名', '手机', '邮箱', '标签']);
    expect(u.suggestedMapping).toEqual({ 姓名: 'name', 手机: 'phones', 邮箱: 'email', 标签: 'tags' });
    expect(u.job.totalRows).toBe(5);

    const job = await runToEnd(admin, u.job.id, u.suggestedMapping);
    expect(job.errorMessage ?? '').toBe('');
    expect(job).toMatchObject({
      status: 'done',
      totalRows: 5,
      processedRows: 5,
      insertedRows: 2,
      updatedRows: 0,
      errorRows: 3,
    });
    expect(await count(`$1 = any(tags)`, [tag])).toBe(2);

    const report = await admin.get(`/api/customer-imports/${u.job.id}/errors.xlsx`);
    expect(report.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(report.rawPayload as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues()
      .slice(2)
      .filter(Boolean)
      .map((r) => (r as unknown[]).slice(1, 4));
    expect(rows.filter((r) => typeof r[0] === 'number').map((r) => [r[0], r[1]])).toEqual([
      [3, '手机'],
      [4, '姓名'],
      [5, '手机'],
    ]);
    expect(String(rows[2]![2])).toContain('与第 1 行重复');
    // Sentences in the tenant's language naming the column, not Zod's "Invalid input: expected string, received undefined".
    expect([rows[0]![2], rows[1]![2]]).toEqual(['手机须为有效的手机号或带区号的座机号', '姓名不能为空']);

    // Fix the file: the good rows update (by phone), the fixed rows land.
    const fixed = [
      '姓名,手机,标签',
      `好客户一改${tag},${p1},${tag}`,
      `坏电话已改${tag},${phone()},${tag}`,
      `补了名字${tag},${p3},${tag}`,
    ].join('\n');
    const up2 = (await uploadFile(admin, fixed)).json();
    const job2 = await runToEnd(admin, up2.job.id, up2.suggestedMapping);
    expect(job2).toMatchObject({ status: 'done', insertedRows: 2, updatedRows: 1, errorRows: 0 });
    expect(await count(`$1 = any(tags)`, [tag])).toBe(4);
    expect(await count(`name = $1 and $2 = any(phones)`, [`好客户一改${tag}`, p1])).toBe(1);

    const audit = await t.pool.query(
      `select summary from audit_events where action = 'customer.imported' and entity_id = $1`,
      [u.job.id],
    );
    expect(audit.rows[0].summary).toContain('新增 2');
  });

  it('reads GBK-encoded CSV (common from Excel/WPS) and xlsx', async () => {
    // "姓名,手机\n张三,<phone>" with the Chinese in GBK bytes.
    const p = phone();
    const gbk = Buffer.concat([
      Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]),
      Buffer.from(','),
      Buffer.from([0xca, 0xd6, 0xbb, 0xfa]),
      Buffer.from('\n'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
      Buffer.from(`,${p}\n`),
    ]);
    const up = await uploadFile(admin, gbk);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json().job.encoding).toBe('gb18030');
    expect(up.json().headers).toEqual(['姓名', '手机']);
    expect(up.json().preview[0]).toEqual(['张三', p]);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    const p2 = phone();
    ws.addRow(['客户名称', '电话', '生日']);
    ws.addRow(['李四', Number(p2), new Date('1988-02-03T00:00:00Z')]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const up2 = await uploadFile(
      admin,
      buf,
      'c.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(up2.statusCode, up2.body).toBe(201);
    const job = await runToEnd(admin, up2.json().job.id, up2.json().suggestedMapping);
    expect(job, job.errorMessage).toMatchObject({ status: 'done', insertedRows: 1, errorRows: 0 });
    expect(await count(`$1 = any(phones) and birthday = '1988-02-03'`, [p2])).toBe(1);
  });

  it('refuses empty, malformed, header-only and oversized files with a clear message and no job', async () => {
    const before = Number((await t.pool.query('select count(*) from import_jobs')).rows[0].count);
    const filesBefore = filesOnDisk();
    const empty = await uploadFile(admin, '');
    expect(empty.statusCode).toBe(400);
    const headerOnly = await uploadFile(admin, '姓名,手机\n');
    expect(headerOnly.statusCode).toBe(400);
    expect(headerOnly.json().message).toContain('没有数据行');
    const broken = await uploadFile(admin, '姓名,手机\n"张三,138\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toContain('无法解析');
    // Past 200 MB, streamed without a length (refused on the way, the partial file removed) …
    const mb = Buffer.alloc(1024 * 1024, 0x41);
    const big = await uploadFile(
      admin,
      Readable.from(
        (function* () {
          for (let i = 0; i <= 200; i++) yield mb;
        })(),
      ),
    );
    expect(big.statusCode, big.body).toBe(413);
    // … or declared too long up front (refused before reading).
    const declared = await admin.request({
      method: 'POST',
      url: '/api/customer-imports?fileName=x.csv',
      payload: Readable.from([Buffer.from('姓名\n张三\n')]),
      headers: { 'content-type': 'text/csv', 'content-length': String(300 * 1024 * 1024) },
    });
    expect(declared.statusCode).toBe(413);
    expect(Number((await t.pool.query('select count(*) from import_jobs')).rows[0].count)).toBe(before);
    expect(filesOnDisk()).toEqual(filesBefore);
  });

  it('keeps the upload on disk (not in memory or the database) only until the job ends', async () => {
    const up = (await uploadFile(admin, `姓名,手机\n磁盘${uniq()},${phone()}\n`)).json();
    const {
      rows: [row],
    } = await t.pool.query('select file, file_path from import_jobs where id = $1', [up.job.id]);
    expect(row.file).toBeNull();
    expect(path.dirname(row.file_path)).toBe(uploadDir);
    expect(fs.existsSync(row.file_path)).toBe(true);
    const job = await runToEnd(admin, up.job.id, up.suggestedMapping);
    expect(job).toMatchObject({ status: 'done', insertedRows: 1 });
    expect(fs.existsSync(row.file_path)).toBe(false);
  });

  it('normalises phones with the shared rule, matches existing customers by it, and updates only what the row holds', async () => {
    const tag = uniq();
    const p = phone();
    const existing = await admin.post('/api/customers', {
      name: `老客户${tag}`,
      phones: [p],
      email: 'keep@example.com',
      idNumber: '11010119900101123X',
      tags: [tag],
      unitId: shUnit,
    });
    expect(existing.statusCode, existing.body).toBe(201);
    const spaced = `+86 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`;
    const p2 = phone();
    const csv = [
      '姓名,手机,邮箱',
      `老客户改名${tag},${spaced},`,
      `新客户${tag},"${p2} 021-5555 1234",x${tag}@example.com`,
    ].join('\n');
    const up = (await uploadFile(admin, csv)).json();
    const job = await runToEnd(admin, up.job.id, up.suggestedMapping);
    expect(job).toMatchObject({ status: 'done', insertedRows: 1, updatedRows: 1, errorRows: 0 });
    const {
      rows: [old],
    } = await t.pool.query('select name, phones, email, id_number, tags from customers where id = $1', [
      existing.json().id,
    ]);
    // Renamed; the empty e-mail cell and the unmapped ID number and tags columns wiped nothing.
    expect(old).toEqual({
      name: `老客户改名${tag}`,
      phones: [p],
      email: 'keep@example.com',
      id_number: '11010119900101123X',
      tags: [tag],
    });
    const {
      rows: [added],
    } = await t.pool.query('select phones from customers where name = $1', [`新客户${tag}`]);
    expect(added.phones).toEqual([p2, '021-55551234']);
  });

  it('reports a key that belongs to a customer outside the importer’s scope, and writes nothing for that row', async () => {
    const hz = (await t.pool.query(`select id from org_units where code = 'HZ'`)).rows[0].id;
    const p = phone();
    expect((await admin.post('/api/customers', { name: '杭州客户', phones: [p], unitId: hz })).statusCode).toBe(201);
    const mgr = await t.login('zhang.manager');
    const up = (await uploadFile(mgr, `姓名,手机\n上海改名,${p}\n`)).json();
    const res = await mgr.post(`/api/customer-imports/${up.job.id}/start`, {
      mapping: up.suggestedMapping,
      upsertKey: 'phone',
      defaultUnitId: mgr.me.user.unitId,
    });
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.idle();
    expect((await mgr.get(`/api/customer-imports/${up.job.id}`)).json()).toMatchObject({
      status: 'done',
      insertedRows: 0,
      updatedRows: 0,
      errorRows: 1,
    });
    expect(await count(`$1 = any(phones)`, [p])).toBe(1);
    expect(await count(`name = '上海改名'`, [])).toBe(0);
  });

  it('imports a file of several batches with duplicates across batch boundaries, and progress reaches the total', async () => {
    const tag = uniq();
    const base = 10_000_000 + Math.floor(Math.random() * 80_000_000);
    const lines = ['姓名,手机,标签'];
    const n = 12_000;
    for (let i = 1; i <= n; i++) lines.push(`批量${i},137${String(base + i).padStart(8, '0')},${tag}`);
    lines.push(`重复,137${String(base + 1).padStart(8, '0')},${tag}`); // row n+1 repeats row 1, two batches later
    const up = (await uploadFile(admin, lines.join('\n'))).json();
    expect(up.job.totalRows).toBe(n + 1);
    const job = await runToEnd(admin, up.job.id, up.suggestedMapping);
    expect(job).toMatchObject({
      status: 'done',
      totalRows: n + 1,
      processedRows: n + 1,
      insertedRows: n,
      errorRows: 1,
    });
    expect(await count(`$1 = any(tags)`, [tag])).toBe(n);
    const { rows } = await t.pool.query('select row_no, reason from import_errors where job_id = $1', [up.job.id]);
    expect(rows).toEqual([{ row_no: n + 1, reason: '与第 1 行重复（同一文件内更新键重复）' }]);
  });

  it('treats a row keyed by a phone an earlier row listed as a duplicate of that row, in any batch', async () => {
    const tag = uniq();
    const [p1, p2] = [phone(), phone()];
    const csv = ['姓名,手机,标签', `两个号码${tag},"${p1} ${p2}",${tag}`, `第二个号码${tag},${p2},${tag}`].join('\n');
    const up = (await uploadFile(admin, csv)).json();
    const job = await runToEnd(admin, up.job.id, up.suggestedMapping);
    expect(job).toMatchObject({ status: 'done', insertedRows: 1, updatedRows: 0, errorRows: 1 });
    expect(await count(`$1 = any(phones)`, [p2])).toBe(1);
    const { rows } = await t.pool.query('select row_no, reason from import_errors where job_id = $1', [up.job.id]);
    expect(rows).toEqual([{ row_no: 2, reason: '与第 1 行重复（同一文件内更新键重复）' }]);
  });

  describe('a batch written after its key lookup (the lookup runs while the previous batch is written)', () => {
    const scopeOfAdmin = async () => {
      const {
        rows: [u],
      } = await t.pool.query(
        `select u.id, u.tenant_id, u.unit_id, o.path from users u join org_units o on o.id = u.unit_id where u.username = 'admin'`,
      );
      return {
        tenantId: u.tenant_id as string,
        userId: u.id as string,
        unitId: u.unit_id as string,
        unitPath: u.path as string,
        dataScope: 'tenant' as const,
      };
    };
    const row = (rowNo: number, name: string, p: string): TImportRow => {
      const insert: TCustomerColumns = {
        kind: 'individual',
        name,
        gender: null,
        birthday: null,
        phones: [p],
        phone_digits: p,
        email: null,
        address: null,
        id_number: null,
        card_numbers: [],
        source: null,
        owner_id: null,
        unit_id: shUnit,
        tags: [],
        tier: null,
        lifecycle_stage: null,
        intent_level: null,
        consent_service: true,
        consent_marketing: false,
        custom: {},
      };
      return { rowNo, key: p, insert, given: 0b10 };
    };
    const jobRow = async () =>
      (
        await t.pool
          .query(`insert into import_jobs (tenant_id, unit_id, created_by, file_name, size_bytes, format, encoding, status, upsert_key)
      select tenant_id, unit_id, id, 'x.csv', 0, 'csv', 'utf-8', 'running', 'phone' from users where username = 'admin' returning id`)
      ).rows[0].id as string;

    it('updates the customer found, unless someone moved the phone away meanwhile: then the row is looked up again and lands as new', async () => {
      const scope = await scopeOfAdmin();
      const [p, q, r] = [phone(), phone(), phone()];
      const moved = (await admin.post('/api/customers', { name: '号码被改', phones: [p], unitId: shUnit })).json().id;
      const kept = (await admin.post('/api/customers', { name: '号码未改', phones: [r], unitId: shUnit })).json().id;
      const existing = findExisting(t.db, scope, 'phone', [p, r]);
      expect(await existing).toEqual(
        new Map([
          [p, moved],
          [r, kept],
        ]),
      );
      // Another user changes the first customer's phone between the lookup and the write.
      expect((await admin.patch(`/api/customers/${moved}`, { phones: [q] })).statusCode).toBe(200);
      const jobId = await jobRow();
      await writeBatch(
        t.db,
        { scope, jobId, upsertKey: 'phone', now: t.clock.now() },
        { rows: 2, goods: [row(1, '导入一', p), row(2, '导入二', r)], errors: [] },
        existing,
        Promise.resolve(),
      );
      const names = async (id: string) =>
        (await t.pool.query('select name, phones from customers where id = $1', [id])).rows[0];
      expect(await names(moved)).toEqual({ name: '号码被改', phones: [q] });
      expect(await names(kept)).toEqual({ name: '导入二', phones: [r] });
      expect(await count(`$1 = any(phones) and name = '导入一'`, [p])).toBe(1);
      const {
        rows: [job],
      } = await t.pool.query('select processed_rows, inserted_rows, updated_rows from import_jobs where id = $1', [
        jobId,
      ]);
      expect(job).toEqual({ processed_rows: 2, inserted_rows: 1, updated_rows: 1 });
    });

    it('rolls back when the batch before it failed: nothing of it lands and the progress does not move', async () => {
      const scope = await scopeOfAdmin();
      const p = phone();
      const jobId = await jobRow();
      const failed = Promise.reject(new Error('batch 1 failed'));
      failed.catch(() => undefined); // as the runner does: the failure is reported once, from the batch that failed
      const write = writeBatch(
        t.db,
        { scope, jobId, upsertKey: 'phone', now: t.clock.now() },
        { rows: 1, goods: [row(5001, '不应落库', p)], errors: [] },
        findExisting(t.db, scope, 'phone', [p]),
        failed,
      );
      await expect(write).rejects.toBeInstanceOf(PreviousBatchFailed);
      expect(await count(`$1 = any(phones)`, [p])).toBe(0);
      expect(
        (await t.pool.query('select processed_rows from import_jobs where id = $1', [jobId])).rows[0].processed_rows,
      ).toBe(0);
    });
  });

  it('drops an upload left unstarted for a day: the job fails with a reason and its file leaves the disk', async () => {
    const up = (await uploadFile(admin, `姓名,手机\n搁置${uniq()},${phone()}\n`)).json();
    const {
      rows: [row],
    } = await t.pool.query('select file_path from import_jobs where id = $1', [up.job.id]);
    const deps = { db: t.db, clock: t.clock, config: t.config, jobs: t.jobs };
    await recoverImports(deps);
    expect(fs.existsSync(row.file_path)).toBe(true); // not yet a day
    t.clock.advance(25 * 3_600_000);
    try {
      await recoverImports(deps);
    } finally {
      t.clock.advance(-25 * 3_600_000);
    }
    expect(fs.existsSync(row.file_path)).toBe(false);
    const job = (await admin.get(`/api/customer-imports/${up.job.id}`)).json();
    expect(job.status).toBe('failed');
    expect(job.errorMessage).toContain('24 小时');
    expect(
      (
        await admin.post(`/api/customer-imports/${up.job.id}/start`, {
          mapping: up.suggestedMapping,
          upsertKey: 'phone',
          defaultUnitId: shUnit,
        })
      ).statusCode,
    ).toBe(409);
  });

  it('checks the mapping before starting, and only the uploader sees the job', async () => {
    const up = (await uploadFile(admin, `姓名,手机\n王五,${phone()}\n`)).json();
    const noName = await admin.post(`/api/customer-imports/${up.job.id}/start`, {
      mapping: { 手机: 'phones' },
      upsertKey: 'phone',
      defaultUnitId: shUnit,
    });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().details[0].path).toBe('body.mapping');
    const unknown = await admin.post(`/api/customer-imports/${up.job.id}/start`, {
      mapping: { 姓名: 'name', 手机: 'nonsense' },
      upsertKey: 'none',
      defaultUnitId: shUnit,
    });
    expect(unknown.statusCode).toBe(400);
    const mgr = await t.login('zhang.manager');
    expect((await mgr.get(`/api/customer-imports/${up.job.id}`)).statusCode).toBe(404);
    const teller = await t.login('chen.teller');
    expect((await uploadFile(teller, `姓名\n赵六\n`)).statusCode).toBe(403);
  });
});

describe('customer export', () => {
  it('imports card numbers 卡号: several per cell, stored as digits and found by them; a bad card is a row error', async () => {
    const tag = uniq();
    const card = () => `6217${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
    const [c1, c2, c3] = [card(), card(), card()];
    const [p1, p2, p3] = [phone(), phone(), phone()];
    const grouped = (c: string) => c.replace(/(\d{4})(?=\d)/g, '$1 ');
    const csv = [
      '姓名,手机,卡号,标签',
      `两张卡${tag},${p1},"${grouped(c1)}；${c2}",${tag}`,
      `坏卡号${tag},${p2},6217-12AB,${tag}`,
      `一张卡${tag},${p3},${c3.replace(/(\d{4})(?=\d)/g, '$1-')},${tag}`,
    ].join('\n');
    const up = (await uploadFile(admin, csv)).json();
    expect(up.suggestedMapping).toMatchObject({ 卡号: 'cardNumbers' });
    const job = await runToEnd(admin, up.job.id, up.suggestedMapping);
    expect(job).toMatchObject({ status: 'done', insertedRows: 2, errorRows: 1 });
    const errors = await t.pool.query('select row_no, "column", reason from import_errors where job_id = $1', [
      up.job.id,
    ]);
    expect(errors.rows).toEqual([{ row_no: 2, column: '卡号', reason: '卡号须为 8–19 位数字' }]);
    const landed = await t.pool.query(
      `select c.name, c.card_numbers, array(select card_number from customer_cards k where k.customer_id = c.id order by 1) as lookup
         from customers c where $1 = any(c.tags) order by c.name`,
      [tag],
    );
    expect(landed.rows).toEqual([
      { name: `一张卡${tag}`, card_numbers: [c3], lookup: [c3] },
      { name: `两张卡${tag}`, card_numbers: [c1, c2], lookup: [c1, c2].sort() },
    ]);

    // Re-imported by phone without a card column: the cards stay.
    const again = (await uploadFile(admin, ['姓名,手机', `两张卡改名${tag},${p1}`].join('\n'))).json();
    expect(await runToEnd(admin, again.job.id, again.suggestedMapping)).toMatchObject({ updatedRows: 1 });
    expect(await count(`name = $1 and card_numbers = $2`, [`两张卡改名${tag}`, [c1, c2]])).toBe(1);

    // Exported in clear to a user holding pii:reveal, in a 卡号 column.
    const res = await admin.get(`/api/customers/export?format=csv&tags=${tag}`);
    const [header, ...lines] = res.body.slice(1).trim().split('\r\n');
    expect(header!.split(',')).toContain('卡号');
    expect(lines.join('\n')).toContain(`${c1}, ${c2}`);
  });

  it('exports the filtered list as CSV with formula cells escaped, masked without pii:reveal, and audits it', async () => {
    const tag = uniq();
    const p = phone();
    const created = await admin.post('/api/customers', {
      name: `=HYPERLINK("http://x")${tag}`,
      phones: [p],
      unitId: shUnit,
      tags: [tag],
    });
    expect(created.statusCode, created.body).toBe(201);
    const res = await admin.get(`/api/customers/export?format=csv&tags=${tag}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const text = res.body;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")${tag}"`);
    expect(lines[1]).toContain(p); // admin holds pii:reveal: phones in clear

    const sup = await t.login('wang.supervisor'); // no customer:export
    expect((await sup.get(`/api/customers/export?format=csv`)).statusCode).toBe(403);

    const audit = await t.pool.query(
      `select after from audit_events where action = 'customer.exported' order by id desc limit 1`,
    );
    expect(audit.rows[0].after).toMatchObject({ format: 'csv', rows: 1, pii: 'clear' });
  });

  it('exports xlsx with personal data masked for a user without pii:reveal', async () => {
    const roleRes = await admin.post('/api/roles', {
      name: `导出员${uniq()}`,
      permissions: ['customer:read', 'customer:export'],
      dataScope: 'tenant',
    });
    const hqUnit = (await t.pool.query(`select id from org_units where code = 'HQ'`)).rows[0].id;
    const username = `exp${uniq()}`;
    await admin.post('/api/users', {
      username,
      password: 'Export1234',
      displayName: '导出员',
      unitId: hqUnit,
      roleIds: [roleRes.json().id],
    });
    const exporter = await t.login(username, 'Export1234');
    const tag = uniq();
    const p = phone();
    const card = '6217000011112222';
    await admin.post('/api/customers', {
      name: `脱敏${tag}`,
      phones: [p],
      cardNumbers: [card],
      unitId: shUnit,
      tags: [tag],
    });
    const res = await exporter.get(`/api/customers/export?format=xlsx&tags=${tag}`);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const row = wb.worksheets[0]!.getRow(2).values as unknown[];
    expect(row).toContain(`脱敏${tag}`);
    expect(row).toContain(`${p.slice(0, 3)}****${p.slice(-4)}`);
    expect(JSON.stringify(row)).not.toContain(p);
    expect(row).toContain('6217****2222');
    expect(JSON.stringify(row)).not.toContain(card);
  });
});

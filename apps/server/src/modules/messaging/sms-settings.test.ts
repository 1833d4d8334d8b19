import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TOutboxPage, TSmsSettings } from '@huifang/shared';
import { countRows, expectError, loginAs, rootUnitId } from '../../../test/helpers.ts';
import { createTestApp, type TClient, type TTestApp } from '../../../test/test-app.ts';
import { customers } from '../../db/schema/index.ts';
import type { TSmsRequest, TSmsSettingsRow } from './sms/provider.ts';
import { enqueueMessages } from './outbox.repository.ts';
import { enqueueSms } from './templates.ts';

let t: TTestApp;
let admin: TClient;
const sent: TSmsRequest[] = [];
const factoryCalls: (TSmsSettingsRow | null)[] = [];

beforeAll(async () => {
  // The app's sms factory swapped: captures instead of calling a provider (the only fake: the outside world).
  t = await createTestApp({
    sms: (s) => {
      factoryCalls.push(s);
      return { name: 'capture', send: async (req) => (sent.push(req), { providerMessageId: `cap-${sent.length}` }) };
    },
  });
  t.clock.set('2026-11-23T02:00:00Z'); // 10:00 Shanghai
  admin = await t.login('admin');
});
afterAll(async () => t.close());

describe('SMS settings 短信设置', () => {
  it('defaults to the log provider; the secret is write-only (never returned, never audited); bad input is a 400 with the field path and writes nothing', async () => {
    const def = await admin.get('/api/settings/sms');
    expect(def.statusCode).toBe(200);
    expect(def.json<TSmsSettings>()).toMatchObject({
      provider: 'log',
      accessKeySecretSet: false,
      optOutText: '拒收请回复R',
    });

    const bad = await admin.patch('/api/settings/sms', { provider: 'tencent', accessKeyId: 'AKID1' });
    expectError(bad, 400, 'VALIDATION_FAILED', ['body.signName', 'body.sdkAppId']);
    const noSecret = await admin.patch('/api/settings/sms', {
      provider: 'aliyun',
      accessKeyId: 'LTAI1',
      signName: '惠方银行',
    });
    expectError(noSecret, 400, 'VALIDATION_FAILED', ['body.accessKeySecret']);
    expect(await countRows(t, 'select 1 from sms_settings')).toBe(0);

    const ok = await admin.patch('/api/settings/sms', {
      provider: 'aliyun',
      accessKeyId: 'LTAI1',
      accessKeySecret: 'very-secret-value',
      signName: '惠方银行',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).not.toContain('very-secret-value');
    expect(ok.json<TSmsSettings>()).toMatchObject({
      provider: 'aliyun',
      accessKeyId: 'LTAI1',
      accessKeySecretSet: true,
      signName: '惠方银行',
    });
    // An update without the secret keeps it.
    const keep = await admin.patch('/api/settings/sms', {
      provider: 'aliyun',
      accessKeyId: 'LTAI2',
      signName: '惠方银行',
    });
    expect(keep.json<TSmsSettings>()).toMatchObject({ accessKeyId: 'LTAI2', accessKeySecretSet: true });
    const audit = await t.pool.query(
      "select before::text, after::text from audit_events where action = 'sms.settings_changed'",
    );
    expect(audit.rows).toHaveLength(2);
    expect(JSON.stringify(audit.rows)).not.toContain('very-secret-value');
    expect((await admin.get('/api/settings/sms')).body).not.toContain('very-secret-value');
  });

  it('a teller may not read or change them', async () => {
    const teller = await loginAs(t, 'chen.teller');
    expect((await teller.get('/api/settings/sms')).statusCode).toBe(403);
  });
});

describe('SMS on the outbox page', () => {
  it('the job sends through the tenant provider; the page shows SMS rows with provider id and the policy outcome', async () => {
    const unitId = await rootUnitId(t);
    const ok = crypto.randomUUID();
    const optedOut = crypto.randomUUID();
    await t.db.insert(customers).values([
      { id: ok, tenantId: t.tenantId, name: '王五', unitId, phones: ['13900000001'] },
      { id: optedOut, tenantId: t.tenantId, name: '赵六', unitId, phones: ['13900000002'], consentService: false },
    ]);
    await enqueueSms(t.db, t.clock.now(), [
      {
        tenantId: t.tenantId,
        customerId: ok,
        to: '13900000001',
        template: '{客户姓名}您好',
        values: { 客户姓名: '王先生' },
        templateCode: 'SMS_9',
      },
      {
        tenantId: t.tenantId,
        customerId: optedOut,
        to: '13900000002',
        template: '{客户姓名}您好',
        values: { 客户姓名: '赵先生' },
        templateCode: 'SMS_9',
      },
    ]);
    await t.jobs.send('outbox-send', {});
    await t.jobs.idle();
    expect(sent).toEqual([
      { to: '13900000001', text: '王先生您好', templateCode: 'SMS_9', params: { 客户姓名: '王先生' } },
    ]);
    expect(factoryCalls.at(-1)).toMatchObject({ provider: 'aliyun', accessKeyId: 'LTAI2' });
    const page = (await admin.get('/api/outbox?channel=sms&pageSize=100')).json<TOutboxPage>();
    expect(
      page.items
        .map((m) => ({
          to: m.to,
          status: m.status,
          providerMessageId: m.providerMessageId,
          policyOutcome: m.policyOutcome,
        }))
        .sort((a, b) => a.to.localeCompare(b.to)),
    ).toEqual([
      { to: '13900000001', status: 'sent', providerMessageId: 'cap-1', policyOutcome: null },
      { to: '13900000002', status: 'cancelled', providerMessageId: null, policyOutcome: 'blocked:no_service_consent' },
    ]);
    expectError(await admin.get('/api/outbox?channel=fax'), 400, 'VALIDATION_FAILED', ['querystring.channel']);
  });

  it('a role without pii:reveal (the auditor) sees SMS recipients masked, and errors quoting them masked too', async () => {
    const [id] = await enqueueMessages(t.db, t.clock.now(), [
      { tenantId: t.tenantId, channel: 'sms', to: '13528528043', body: '您好' },
    ]);
    await t.pool.query(
      "update outbox_messages set status = 'failed', last_error = $2, delivery_error = $3 where id = $1",
      [id, 'rejected 13528528043', '空号 135-2852-8043'],
    );
    const auditor = await t.login('zhao.auditor');
    const res = await auditor.get('/api/outbox?channel=sms&pageSize=100');
    expect(res.statusCode, res.body).toBe(200);
    const row = res.json<TOutboxPage>().items.find((m) => m.id === id);
    expect(row).toMatchObject({
      to: '135****8043',
      lastError: 'rejected 135****8043',
      deliveryError: '空号 135****8043',
    });
    for (const s of ['13528528043', '135-2852-8043']) expect(res.body).not.toContain(s);
    // With pii:reveal (admin) the number stays whole.
    expect(
      (await admin.get('/api/outbox?channel=sms&pageSize=100')).json<TOutboxPage>().items.find((m) => m.id === id)?.to,
    ).toBe('13528528043');
  });
});

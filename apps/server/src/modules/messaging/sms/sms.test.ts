import { describe, expect, it } from 'vitest';
import { aliyunSignature, aliyunSmsProvider, popEncode } from './aliyun.ts';
import { createSmsFactory, type TFetch } from './provider.ts';
import { tc3Sign, tencentSmsProvider } from './tencent.ts';

/** A fetch that records the request and answers with `body`: no network in tests. */
function recordingFetch(body: unknown, status = 200) {
  const calls: { url: string; init: Parameters<TFetch>[1] }[] = [];
  const f: TFetch = async (url, init) => {
    calls.push({ url, init });
    return { ok: status < 300, status, text: async () => JSON.stringify(body) };
  };
  return { f, calls };
}

describe('Aliyun SMS signature (HMAC-SHA1 over the sorted, percent-encoded query)', () => {
  it('reproduces the documented example (help.aliyun.com 101343: testId / testSecret, SMS_71390007)', () => {
    const r = aliyunSignature(
      'GET',
      {
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
        AccessKeyId: 'testId',
        SignatureVersion: '1.0',
        Timestamp: '2017-07-12T02:42:19Z',
        Format: 'XML',
        Action: 'SendSms',
        Version: '2017-05-25',
        RegionId: 'cn-hangzhou',
        PhoneNumbers: '15300000001',
        SignName: '阿里云短信测试专用',
        TemplateParam: '{"customer":"test"}',
        TemplateCode: 'SMS_71390007',
        OutId: '123',
      },
      'testSecret',
    );
    expect(r.stringToSign).toBe(
      'GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25',
    );
    expect(popEncode(r.signature)).toBe('zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D');
  });

  it('POP encoding: space %20, * %2A, ~ kept', () => {
    expect(popEncode('a b*c~')).toBe('a%20b%2Ac~');
  });

  it('sends SendSms as a signed GET and returns the BizId; a provider error throws', async () => {
    const ok = recordingFetch({ Code: 'OK', Message: 'OK', BizId: '900619746936498440^0', RequestId: 'x' });
    const p = aliyunSmsProvider(
      { accessKeyId: 'testId', accessKeySecret: 'testSecret', signName: '惠方银行', regionId: 'cn-hangzhou' },
      ok.f,
      () => new Date('2026-11-23T02:00:00.123Z'),
      () => 'nonce-1',
    );
    await expect(
      p.send({
        to: '13800000000',
        text: '…',
        templateCode: 'SMS_1',
        params: { 客户称呼: '张先生', 网点名称: '陆家嘴支行', name: '张三' },
      }),
    ).resolves.toEqual({ providerMessageId: '900619746936498440^0' });
    const url = new URL(ok.calls[0]!.url);
    expect(url.host).toBe('dysmsapi.aliyuncs.com');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      Action: 'SendSms',
      PhoneNumbers: '13800000000',
      SignName: '惠方银行',
      TemplateCode: 'SMS_1',
      TemplateParam: '{"salutation":"张先生","outlet":"陆家嘴支行","name":"张三"}',
      Timestamp: '2026-11-23T02:00:00Z',
      SignatureNonce: 'nonce-1',
    });
    const { Signature, ...rest } = q;
    expect(Signature).toBe(aliyunSignature('GET', rest, 'testSecret').signature);

    const bad = recordingFetch({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控' });
    const p2 = aliyunSmsProvider(
      { accessKeyId: 'a', accessKeySecret: 'b', signName: 's', regionId: 'cn-hangzhou' },
      bad.f,
      () => new Date(),
    );
    await expect(p2.send({ to: '1', text: '', templateCode: 'T', params: {} })).rejects.toThrow(
      /BUSINESS_LIMIT_CONTROL/,
    );
  });
});

describe('Tencent Cloud SMS signature (TC3-HMAC-SHA256)', () => {
  it('reproduces the documented example (API 3.0 signature v3: cvm DescribeInstances at 1551113065)', () => {
    const r = tc3Sign({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    expect(r.stringToSign).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(r.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('sends SendSms 2021-01-11 with the signed headers and returns the SerialNo', async () => {
    const ok = recordingFetch({
      Response: {
        SendStatusSet: [{ SerialNo: '2019:123', PhoneNumber: '+8613800000000', Code: 'Ok', Message: 'send success' }],
        RequestId: 'r',
      },
    });
    const now = new Date('2026-11-23T02:00:00Z');
    const p = tencentSmsProvider(
      {
        accessKeyId: 'AKID1',
        accessKeySecret: 'sk',
        signName: '惠方银行',
        sdkAppId: '1400000001',
        region: 'ap-guangzhou',
      },
      ok.f,
      () => now,
    );
    await expect(
      p.send({ to: '13800000000', text: '', templateCode: '449739', params: { a: '张三', b: '3' } }),
    ).resolves.toEqual({ providerMessageId: '2019:123' });
    const { url, init } = ok.calls[0]!;
    expect(url).toBe('https://sms.tencentcloudapi.com/');
    expect(JSON.parse(init.body!)).toEqual({
      PhoneNumberSet: ['+8613800000000'],
      SmsSdkAppId: '1400000001',
      SignName: '惠方银行',
      TemplateId: '449739',
      TemplateParamSet: ['张三', '3'],
    });
    expect(init.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-timestamp': String(now.getTime() / 1000),
      'x-tc-region': 'ap-guangzhou',
    });
    const expected = tc3Sign({
      secretId: 'AKID1',
      secretKey: 'sk',
      service: 'sms',
      host: 'sms.tencentcloudapi.com',
      timestamp: now.getTime() / 1000,
      payload: init.body!,
    });
    expect(init.headers.authorization).toBe(expected.authorization);

    const bad = recordingFetch({
      Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad sig' }, RequestId: 'r' },
    });
    const p2 = tencentSmsProvider(
      { accessKeyId: 'a', accessKeySecret: 'b', signName: 's', sdkAppId: '1', region: 'ap-guangzhou' },
      bad.f,
      () => now,
    );
    await expect(p2.send({ to: '1', text: '', templateCode: 'T', params: {} })).rejects.toThrow(/SignatureFailure/);
  });
});

describe('sms factory', () => {
  it('defaults to the log provider, refuses incomplete credentials', async () => {
    const lines: object[] = [];
    const make = createSmsFactory({ log: { info: (o) => lines.push(o) } });
    const p = make(null);
    expect(p.name).toBe('log');
    await p.send({ to: '13800000000', text: '您好' });
    expect(lines).toEqual([{ sms: { to: '13800000000', templateCode: null, params: null, text: '您好' } }]);
    expect(() =>
      make({
        provider: 'aliyun',
        accessKeyId: 'a',
        accessKeySecret: null,
        signName: 's',
        sdkAppId: null,
        region: null,
      }),
    ).toThrow(/accessKeySecret/);
  });
});

import crypto from 'node:crypto';
import type { TFetch, TSmsProvider } from './provider.ts';

const sha256hex = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: crypto.BinaryLike, s: string) => crypto.createHmac('sha256', key).update(s, 'utf8').digest();

/**
 * TC3-HMAC-SHA256 (Tencent Cloud API 3.0): canonical request (POST, /, empty query, content-type + host headers,
 * hashed payload) → string to sign (algorithm, timestamp, date/service/tc3_request scope, hashed request) →
 * key chain TC3+secret → date → service → tc3_request → hex HMAC.
 */
export function tc3Sign(opts: {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  timestamp: number;
  payload: string;
  contentType?: string;
}) {
  const contentType = opts.contentType ?? 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType}\nhost:${opts.host}\n`,
    signedHeaders,
    sha256hex(opts.payload),
  ].join('\n');
  const date = new Date(opts.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${opts.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(opts.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const kDate = hmac(`TC3${opts.secretKey}`, date);
  const kService = hmac(kDate, opts.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = crypto.createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${opts.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization, contentType };
}

export interface TTencentSettings {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  sdkAppId: string;
  region: string;
}

/** SendSms 2021-01-11. Template parameters are positional (TemplateParamSet): the values in the order given. */
export function tencentSmsProvider(s: TTencentSettings, fetchFn: TFetch, now: () => Date): TSmsProvider {
  const host = 'sms.tencentcloudapi.com';
  return {
    name: 'tencent',
    send: async (req) => {
      if (!req.templateCode) throw new Error('tencent sms needs a TemplateId');
      const to = req.to.startsWith('+') ? req.to : `+86${req.to}`;
      const payload = JSON.stringify({
        PhoneNumberSet: [to],
        SmsSdkAppId: s.sdkAppId,
        SignName: s.signName,
        TemplateId: req.templateCode,
        TemplateParamSet: Object.values(req.params ?? {}),
      });
      const timestamp = Math.floor(now().getTime() / 1000);
      const sig = tc3Sign({
        secretId: s.accessKeyId,
        secretKey: s.accessKeySecret,
        service: 'sms',
        host,
        timestamp,
        payload,
      });
      const res = await fetchFn(`https://${host}/`, {
        method: 'POST',
        headers: {
          authorization: sig.authorization,
          'content-type': sig.contentType,
          host,
          'x-tc-action': 'SendSms',
          'x-tc-version': '2021-01-11',
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': s.region,
        },
        body: payload,
      });
      const text = await res.text();
      let json: {
        Response?: {
          Error?: { Code: string; Message: string };
          SendStatusSet?: { Code: string; Message: string; SerialNo: string }[];
        };
      } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        throw new Error(`tencent sms: HTTP ${res.status} ${text.slice(0, 200)}`);
      }
      const r = json.Response;
      if (r?.Error) throw new Error(`tencent sms: ${r.Error.Code} ${r.Error.Message}`);
      const st = r?.SendStatusSet?.[0];
      if (!res.ok || !st || st.Code !== 'Ok')
        throw new Error(`tencent sms: ${st?.Code ?? res.status} ${st?.Message ?? ''}`.trim());
      return { providerMessageId: st.SerialNo };
    },
  };
}

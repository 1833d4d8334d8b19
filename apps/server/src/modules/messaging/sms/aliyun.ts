import crypto from 'node:crypto';
import { ALIYUN_PARAM_NAMES } from '@huifang/shared';
import type { TFetch, TSmsProvider } from './provider.ts';

/** POP percent-encoding: RFC 3986 (encodeURIComponent plus ! ' ( ) *), i.e. + → %20, * → %2A, ~ kept. */
export function popEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Aliyun RPC signature (SignatureVersion 1.0, HMAC-SHA1): sort the parameters by name, percent-encode names and
 * values, join as a query, StringToSign = METHOD & %2F & encode(query), key = secret + '&', base64.
 */
export function aliyunSignature(
  method: string,
  params: Record<string, string>,
  accessKeySecret: string,
): { stringToSign: string; signature: string; canonicalQuery: string } {
  const canonicalQuery = Object.keys(params)
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${popEncode('/')}&${popEncode(canonicalQuery)}`;
  const signature = crypto.createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
  return { stringToSign, signature, canonicalQuery };
}

export interface TAliyunSettings {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  regionId: string;
}

/** dysmsapi SendSms (2017-05-25) over GET with a signed query. */
export function aliyunSmsProvider(
  s: TAliyunSettings,
  fetchFn: TFetch,
  now: () => Date,
  nonce: () => string = () => crypto.randomUUID(),
): TSmsProvider {
  return {
    name: 'aliyun',
    send: async (req) => {
      if (!req.templateCode) throw new Error('aliyun sms needs a TemplateCode');
      const params: Record<string, string> = {
        AccessKeyId: s.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: req.to,
        RegionId: s.regionId,
        SignName: s.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: nonce(),
        SignatureVersion: '1.0',
        TemplateCode: req.templateCode,
        // Placeholder names → Aliyun's ASCII variable names (ALIYUN_PARAM_NAMES); other names pass unchanged.
        TemplateParam: JSON.stringify(
          Object.fromEntries(Object.entries(req.params ?? {}).map(([k, v]) => [ALIYUN_PARAM_NAMES[k] ?? k, v])),
        ),
        Timestamp: now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
      };
      const { signature, canonicalQuery } = aliyunSignature('GET', params, s.accessKeySecret);
      const res = await fetchFn(`https://dysmsapi.aliyuncs.com/?Signature=${popEncode(signature)}&${canonicalQuery}`, {
        method: 'GET',
        headers: { accept: 'application/json' },
      });
      const body = await res.text();
      let json: { Code?: string; Message?: string; BizId?: string } = {};
      try {
        json = JSON.parse(body) as typeof json;
      } catch {
        throw new Error(`aliyun sms: HTTP ${res.status} ${body.slice(0, 200)}`);
      }
      if (!res.ok || json.Code !== 'OK' || !json.BizId)
        throw new Error(`aliyun sms: ${json.Code ?? res.status} ${json.Message ?? ''}`.trim());
      return { providerMessageId: json.BizId };
    },
  };
}

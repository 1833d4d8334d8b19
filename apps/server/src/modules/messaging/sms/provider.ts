import { aliyunSmsProvider } from './aliyun.ts';
import { tencentSmsProvider } from './tencent.ts';

/** One SMS to one number. Providers with templates use `templateCode` + `params`; the log provider the `text`. */
export interface TSmsRequest {
  to: string;
  /** The rendered text (what the log provider writes, and what the outbox shows). */
  text: string;
  templateCode?: string | null;
  params?: Record<string, string> | null;
}

/** Sends or throws; a throw after the provider may have accepted the message is treated as "delivery unknown". */
export interface TSmsProvider {
  readonly name: string;
  send(req: TSmsRequest): Promise<{ providerMessageId: string }>;
}

export type TFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface TSmsSettingsRow {
  provider: string;
  accessKeyId: string | null;
  accessKeySecret: string | null;
  signName: string | null;
  sdkAppId: string | null;
  region: string | null;
}

export interface TSmsFactoryOpts {
  fetch?: TFetch;
  log?: { info(obj: object, msg: string): void };
  now?: () => Date;
}

/** The app's `sms` factory (TAppDeps.sms): tenant settings → provider. Tests pass their own factory. */
export type TSmsFactory = (settings: TSmsSettingsRow | null) => TSmsProvider;

/** Writes the message to the app log instead of sending it: the default until a tenant configures a provider. */
export function logSmsProvider(log: TSmsFactoryOpts['log'] = { info: () => undefined }): TSmsProvider {
  let n = 0;
  return {
    name: 'log',
    send: async (req) => {
      n += 1;
      log.info(
        { sms: { to: req.to, templateCode: req.templateCode ?? null, params: req.params ?? null, text: req.text } },
        'sms (log provider)',
      );
      return { providerMessageId: `log-${Date.now().toString(36)}-${n}` };
    },
  };
}

export function createSmsFactory(opts: TSmsFactoryOpts = {}): TSmsFactory {
  const f: TFetch = opts.fetch ?? ((url, init) => fetch(url, init));
  const now = opts.now ?? (() => new Date());
  return (s) => {
    if (!s || s.provider === 'log') return logSmsProvider(opts.log);
    const need = (v: string | null, what: string) => {
      if (!v) throw new Error(`sms settings incomplete: ${what}`);
      return v;
    };
    const cred = {
      accessKeyId: need(s.accessKeyId, 'accessKeyId'),
      accessKeySecret: need(s.accessKeySecret, 'accessKeySecret'),
      signName: need(s.signName, 'signName'),
    };
    if (s.provider === 'aliyun') return aliyunSmsProvider({ ...cred, regionId: s.region ?? 'cn-hangzhou' }, f, now);
    if (s.provider === 'tencent')
      return tencentSmsProvider(
        { ...cred, sdkAppId: need(s.sdkAppId, 'sdkAppId'), region: s.region ?? 'ap-guangzhou' },
        f,
        now,
      );
    throw new Error(`unknown sms provider ${s.provider}`);
  };
}

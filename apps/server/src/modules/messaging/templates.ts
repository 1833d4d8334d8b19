import type { DbOrTx } from '../../db/client.ts';
import { renderScript, type TScriptValues } from '../policy/script.ts';
import { enqueueMessages } from './outbox.repository.ts';

/**
 * SMS templates with variables ({客户姓名}, {网点名称}… — the follow-up script placeholders): the body is rendered
 * now (what the log provider writes and the outbox shows); the values go along as the provider template's
 * parameters (Aliyun TemplateParam by name, Tencent TemplateParamSet in this order).
 */
export interface TSmsToCustomer {
  tenantId: string;
  unitId?: string | null;
  customerId: string;
  to: string;
  template: string;
  values: TScriptValues;
  templateCode?: string | null;
  isMarketing?: boolean;
  sendAfter?: Date;
  refType?: string | null;
  refId?: string | null;
}

/**
 * The provider template's parameters: with a template, only the placeholders it uses, in the order they first appear
 * (Tencent's TemplateParamSet is positional and must match the approved template's count); without one, all values.
 */
export function templateParams(values: TScriptValues, template?: string): Record<string, string> {
  if (template === undefined) return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? '']));
  const used = [...new Set([...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? ''))].filter((n) => n in values);
  return Object.fromEntries(used.map((n) => [n, values[n as keyof TScriptValues] ?? '']));
}

/** Queue SMS to customers in the caller's transaction (DESIGN §8); the sender enforces the contact policy. */
export async function enqueueSms(tx: DbOrTx, now: Date, list: TSmsToCustomer[]): Promise<string[]> {
  return enqueueMessages(
    tx,
    now,
    list.map((m) => ({
      tenantId: m.tenantId,
      unitId: m.unitId ?? null,
      channel: 'sms' as const,
      to: m.to,
      body: renderScript(m.template, m.values),
      sendAfter: m.sendAfter,
      refType: m.refType ?? null,
      refId: m.refId ?? null,
      customerId: m.customerId,
      isMarketing: m.isMarketing ?? false,
      templateCode: m.templateCode ?? null,
      templateParams: templateParams(m.values, m.template),
    })),
  );
}

/**
 * A staff alert's template with named variables (`{网点}`, `{员工}`…): each known `{名称}` is replaced by its value,
 * unknown ones stay as written. The same values go along as the provider template's parameters, in the order the
 * template first uses them.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => (name in values ? (values[name] ?? '') : whole));
}

export interface TSmsToStaff {
  tenantId: string;
  unitId?: string | null;
  to: string;
  template: string;
  values: Record<string, string>;
  templateCode?: string | null;
  refType: string;
  refId?: string | null;
  /** Once-only key: the same fact never queues the same staff SMS twice. */
  dedupeKey: string;
}

/** Queue SMS to staff (no customer: the customer contact policy does not apply) in the caller's transaction. */
export async function enqueueStaffSms(tx: DbOrTx, now: Date, list: TSmsToStaff[]): Promise<string[]> {
  return enqueueMessages(
    tx,
    now,
    list.map((m) => {
      const used = [...new Set([...m.template.matchAll(/\{([^{}]*)\}/g)].map((x) => x[1] ?? ''))].filter(
        (n) => n in m.values,
      );
      return {
        tenantId: m.tenantId,
        unitId: m.unitId ?? null,
        channel: 'sms' as const,
        to: m.to,
        body: renderTemplate(m.template, m.values),
        refType: m.refType,
        refId: m.refId ?? null,
        templateCode: m.templateCode ?? null,
        templateParams: Object.fromEntries(used.map((n) => [n, m.values[n] ?? ''])),
        dedupeKey: m.dedupeKey,
      };
    }),
  );
}

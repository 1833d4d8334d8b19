import type { Rule } from 'antd/es/form';
import { langOf, validationDetail, validationText } from '@huifang/shared';
import type { z } from 'zod';
import i18n from '../app/i18n.ts';

/**
 * An antd Form rule from a shared Zod field schema: forms validate with exactly the server's rules, and say what is
 * wrong in the user's language naming the field — the message is made from the issue's code by the one table
 * (shared validation.ts), with antd's `${label}` filled in by the Form.Item. Never Zod's own English text.
 * Empty optional inputs ('' or undefined) are passed as `emptyAs`.
 */
export function zodRule(schema: z.ZodType, opts: { emptyAs?: null | undefined | '' } = {}): Rule {
  return {
    validator: async (_rule, value: unknown) => {
      const v = value === '' || value === undefined ? opts.emptyAs : value;
      const r = schema.safeParse(v);
      const issue = r.error?.issues[0];
      if (!issue) return;
      const at = issue.path.reduce<unknown>(
        (x, k) => (x && typeof x === 'object' ? (x as Record<PropertyKey, unknown>)[k] : undefined),
        v,
      );
      // '${label}' is antd's placeholder for the Form.Item's label.
      throw new Error(
        validationText({ ...validationDetail(issue, at), message: issue.message }, '${label}', langOf(i18n.language)),
      );
    },
  };
}

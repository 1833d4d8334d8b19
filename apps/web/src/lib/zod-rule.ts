import type { Rule } from 'antd/es/form';
import type { z } from 'zod';

/**
 * An antd Form rule from a shared Zod field schema: forms validate with exactly the server's rules.
 * Empty optional inputs ('' or undefined) are passed as undefined.
 */
export function zodRule(schema: z.ZodType, opts: { emptyAs?: null | undefined | '' } = {}): Rule {
  return {
    validator: async (_rule, value: unknown) => {
      const v = value === '' || value === undefined ? opts.emptyAs : value;
      const r = schema.safeParse(v);
      if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'invalid');
    },
  };
}

import type { TCustomFieldDef, TErrorDetail } from '@huifang/shared';

/**
 * Check tenant-defined field values against their definitions: known key, right type, option from the list,
 * required ones present (on create, or when a patch clears them). Returns cleaned values and field-level errors.
 */
export function checkCustomValues(
  defs: Pick<TCustomFieldDef, 'key' | 'label' | 'type' | 'options' | 'isRequired'>[],
  values: Record<string, unknown>,
  opts: { isCreate: boolean; pathPrefix?: string },
): { values: Record<string, string | number | null>; errors: TErrorDetail[] } {
  const prefix = opts.pathPrefix ?? 'body.custom';
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, string | number | null> = {};
  const errors: TErrorDetail[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const def = byKey.get(key);
    const path = `${prefix}.${key}`;
    if (!def) {
      errors.push({ path, message: `unknown custom field ${key}`, code: 'unrecognized_keys', params: { keys: [key] } });
      continue;
    }
    if (raw === null || raw === '' || raw === undefined) {
      if (def.isRequired) errors.push({ path, message: `${def.label} 为必填项`, code: 'required' });
      else out[key] = null;
      continue;
    }
    switch (def.type) {
      case 'number': {
        const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
        if (!Number.isFinite(n))
          errors.push({ path, message: `${def.label} 须为数字`, code: 'invalid_type', params: { expected: 'number' } });
        else out[key] = n;
        break;
      }
      case 'date': {
        const s = String(raw).trim();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`)))
          errors.push({
            path,
            message: `${def.label} 须为日期 YYYY-MM-DD`,
            code: 'invalid_format',
            params: { format: 'date' },
          });
        else out[key] = s;
        break;
      }
      case 'option': {
        const s = String(raw).trim();
        if (!def.options.includes(s))
          errors.push({
            path,
            message: `${def.label} 须为以下之一：${def.options.join('、')}`,
            code: 'invalid_value',
            params: { values: def.options },
          });
        else out[key] = s;
        break;
      }
      default: {
        const s = String(raw).trim();
        if (s.length > 500)
          errors.push({
            path,
            message: `${def.label} 不能超过 500 字`,
            code: 'too_big',
            params: { origin: 'string', maximum: 500 },
          });
        else out[key] = s;
      }
    }
  }
  if (opts.isCreate) {
    for (const d of defs)
      if (d.isRequired && !(d.key in values))
        errors.push({ path: `${prefix}.${d.key}`, message: `${d.label} 为必填项`, code: 'required' });
  }
  return { values: out, errors };
}

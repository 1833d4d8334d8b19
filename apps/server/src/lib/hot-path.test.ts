import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hotPathSerializer } from './hot-path.ts';

describe('hotPathSerializer', () => {
  const ZResult = z.object({
    id: z.string(),
    score: z.number().nullable(),
    flags: z.array(z.string()),
    ok: z.boolean(),
  });
  const serialize = hotPathSerializer(ZResult)();

  it('writes the fields of the schema as the zod serializer does, and no other field', () => {
    const data = { id: 'e1', score: null, flags: ['fast_press'], ok: true, secret: 'not for the client' };
    expect(JSON.parse(serialize(data))).toEqual(ZResult.parse(data));
    expect(serialize(data)).not.toContain('secret');
  });

  it('refuses a schema with nested objects (their fields would be dropped)', () => {
    expect(() => hotPathSerializer(z.object({ a: z.object({ b: z.string() }) }))).toThrow(/not flat/);
    expect(() => hotPathSerializer(z.object({ a: z.object({ b: z.string() }).nullable() }))).toThrow(/not flat/);
  });
});

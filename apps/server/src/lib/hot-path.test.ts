import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import fc from 'fast-check';
import { hotPathSerializer, shapeSerializer } from './hot-path.ts';

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

describe('shapeSerializer', () => {
  const ZRow = z.object({ id: z.string(), n: z.number().int(), rate: z.number().nullable(), kind: z.enum(['a', 'b']) });
  const ZReport = z.object({ title: z.string(), note: z.string().optional(), rows: z.array(ZRow), ok: z.boolean() });
  const serialize = shapeSerializer(ZReport)();

  it('writes what the zod serializer writes, at every level, for any data of the schema', () => {
    const row = fc.record({
      id: fc.string(),
      n: fc.integer(),
      rate: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      kind: fc.constantFrom('a' as const, 'b' as const),
    });
    fc.assert(
      fc.property(
        fc.record({
          title: fc.string(),
          note: fc.option(fc.string(), { nil: undefined }),
          rows: fc.array(row),
          ok: fc.boolean(),
        }),
        (data) => {
          expect(serialize(data)).toBe(JSON.stringify(ZReport.parse(data)));
        },
      ),
    );
  });

  it('leaves out every field the schema does not name, nested ones too', () => {
    const data = {
      title: 't',
      rows: [{ id: 'x', n: 1, rate: null, kind: 'a', phone: '13800000000' }],
      ok: true,
      secret: 1,
    };
    const out = serialize(data);
    expect(out).not.toContain('13800000000');
    expect(out).not.toContain('secret');
    expect(JSON.parse(out)).toEqual(ZReport.parse(data));
  });

  it('refuses a schema with a type it does not write', () => {
    expect(() => shapeSerializer(z.object({ a: z.union([z.string(), z.number()]) }))).toThrow(/a is a union/);
    expect(() => shapeSerializer(z.object({ rows: z.array(z.record(z.string(), z.number())) }))).toThrow(/record/);
  });
});

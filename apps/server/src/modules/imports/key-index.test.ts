import { describe, expect, it } from 'vitest';
import { KeyIndex } from './key-index.ts';

describe('KeyIndex', () => {
  it('answers like a Map of first rows, through growth, for digit keys and others', () => {
    const idx = new KeyIndex();
    const ref = new Map<string, number>();
    let seed = 42;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const keys = [
      ...Array.from({ length: 200_000 }, () => `1${3 + (rand() % 7)}${String(rand() % 1e9).padStart(9, '0')}`),
      ...Array.from({ length: 2_000 }, (_, i) => `021-${55550000 + (i % 700)}`),
      '0138',
      '138',
      '11010119900101123X',
      '110101199001011234',
      '999999999999999',
      '1000000000000000',
    ];
    keys.forEach((k, i) => {
      const expected = ref.get(k);
      if (expected === undefined) ref.set(k, i + 1);
      expect(idx.firstOrAdd(k, i + 1)).toBe(expected);
    });
    expect(idx.size).toBe(ref.size);
    // '0138' and '138' stay apart (leading zero), as do 15- and 16-digit keys.
    expect(idx.firstOrAdd('0138', 0)).toBe(ref.get('0138'));
    expect(idx.firstOrAdd('138', 0)).toBe(ref.get('138'));
  });
});

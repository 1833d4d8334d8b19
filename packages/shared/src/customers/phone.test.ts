import { describe, expect, it } from 'vitest';
import { formatPhone, isValidPhone, normalizePhone, phoneSearchKey } from './phone.ts';

const mobile = (n: string) => ({ kind: 'mobile', e164: `+86${n}`, national: n, extension: null });

describe('normalizePhone: mobiles', () => {
  it.each([
    ['13812345678'],
    ['138 1234 5678'],
    ['138-1234-5678'],
    ['138.1234.5678'],
    ['(138) 1234 5678'],
    ['  13812345678  '],
    ['+8613812345678'],
    ['+86 138 1234 5678'],
    ['+86-138-1234-5678'],
    ['8613812345678'],
    ['008613812345678'],
    ['0086 138 1234 5678'],
    ['１３８１２３４５６７８'], // full-width digits
    ['＋８６ １３８－１２３４－５６７８'], // full-width plus, dash and space (U+3000)
    ['138—1234—5678'], // em dashes from a Chinese IME
    ['013812345678'], // out-of-town 0 before a mobile
  ])('%s → 13812345678', (raw) => {
    expect(normalizePhone(raw)).toEqual(mobile('13812345678'));
  });

  it('accepts every mobile prefix 13–19', () => {
    for (const p of ['13', '14', '15', '16', '17', '18', '19'])
      expect(normalizePhone(`${p}912345678`)?.kind).toBe('mobile');
  });

  it.each([
    ['12812345678', 'prefix 12'],
    ['11812345678', 'prefix 11'],
    ['10812345678', 'prefix 10'],
    ['1381234567', '10 digits'],
    ['138123456789', '12 digits'],
    ['13812345678转123', 'a mobile has no extension'],
    ['1381234567a', 'a letter'],
    ['abc13812345678', 'letters before'],
    ['138****5678', 'a masked number'],
    ['+85291234567', 'a Hong Kong number'],
    ['+1 415 555 1234', 'a US number'],
    ['138+1234+5678', 'plus signs inside'],
    ['', 'empty'],
    ['   ', 'blank'],
    ['123', 'too short'],
    ['1'.repeat(200), 'very long'],
  ])('rejects %s (%s)', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
    expect(isValidPhone(raw)).toBe(false);
  });
});

describe('normalizePhone: landlines', () => {
  it.each([
    ['021-55551234', '021', '55551234'],
    ['02155551234', '021', '55551234'],
    ['(021) 5555 1234', '021', '55551234'],
    ['（０２１）５５５５－１２３４', '021', '55551234'],
    ['021 5555 1234', '021', '55551234'],
    ['021.5555.1234', '021', '55551234'],
    ['010-65551234', '010', '65551234'],
    ['0571-88889999', '0571', '88889999'],
    ['0571 8888999', '0571', '8888999'], // 7-digit local number
    ['0755-2345678', '0755', '2345678'],
    ['+86 21 5555 1234', '021', '55551234'], // country code drops the trunk 0
    ['+86 10 6555 1234', '010', '65551234'], // Beijing: 10… after +86 is not a mobile
    ['+86 (0)21 5555 1234', '021', '55551234'],
    ['0086-571-88889999', '0571', '88889999'],
    ['86-21-55551234', '021', '55551234'],
  ])('%s → %s-%s', (raw, area, local) => {
    expect(normalizePhone(raw)).toEqual({
      kind: 'landline',
      e164: `+86${area.slice(1)}${local}`,
      national: `${area}-${local}`,
      extension: null,
    });
  });

  it('gives the E.164 form without trunk 0 and extension', () => {
    expect(normalizePhone('+86 21 5555 1234')?.e164).toBe('+862155551234');
    expect(normalizePhone('021-55551234转8001')?.e164).toBe('+862155551234');
  });

  it.each([
    ['021-55551234转123', '123'],
    ['021-55551234 转 123', '123'],
    ['021-55551234分机6001', '6001'],
    ['021-55551234 ext. 45', '45'],
    ['021-55551234 EXT 45', '45'],
    ['021 5555 1234 x7', '7'],
    ['021-55551234#888', '888'],
    ['021-55551234-123', '123'], // a last dash group after a complete number
    ['021-5555-1234-123', '123'],
    ['0571-8888999-123456', '123456'],
    ['+86 21 5555 1234-12', '12'],
    ['（021）55551234－１２３', '123'],
  ])('%s has extension %s', (raw, ext) => {
    const p = normalizePhone(raw);
    expect(p?.kind).toBe('landline');
    expect(p?.extension).toBe(ext);
  });

  it('reads dash groups inside the local number as separators, not an extension', () => {
    expect(normalizePhone('021-5555-1234')).toMatchObject({ national: '021-55551234', extension: null });
    expect(normalizePhone('0571-888-8999')).toMatchObject({ national: '0571-8888999', extension: null });
  });

  it.each([
    ['55551234', 'no area code'],
    ['021-05551234', 'local number starting with 0'],
    ['021-15551234', 'local number starting with 1'],
    ['021-555512', '6-digit local number'],
    ['021-555512345', '9-digit local number'],
    ['011-55551234', 'area code 011 does not exist'],
    ['02155551234123', 'extension run into the number: ambiguous'],
    ['021-55551234转1234567', '7-digit extension'],
    ['021-55551234转', 'empty extension'],
    ['021-55551234转12a', 'letter in the extension'],
    ['021-55551234 fax', 'letters'],
    ['tel 021-55551234', 'letters before'],
  ])('rejects %s (%s)', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });
});

describe('formatPhone', () => {
  it('is the national number plus -extension, the stored form', () => {
    expect(formatPhone(normalizePhone('(021) 5555 1234 转 88')!)).toBe('021-55551234-88');
    expect(formatPhone(normalizePhone('+86 138 1234 5678')!)).toBe('13812345678');
    expect(formatPhone(normalizePhone('0571 8888 9999')!)).toBe('0571-88889999');
  });
});

describe('phoneSearchKey', () => {
  it('indexes a valid number by its national digits and extension', () => {
    expect(phoneSearchKey('+86 138-1234-5678')).toBe('13812345678');
    expect(phoneSearchKey('１３８ １２３４ ５６７８')).toBe('13812345678');
    expect(phoneSearchKey('+86 21 5555 1234')).toBe('02155551234');
    expect(phoneSearchKey('021-55551234转123')).toBe('02155551234123');
  });

  it('keeps the digits of a fragment, so a typed fragment matches the indexed key', () => {
    expect(phoneSearchKey('5678')).toBe('5678');
    expect(phoneSearchKey('1234-5678')).toBe('12345678');
    expect(phoneSearchKey('５６７８')).toBe('5678');
    expect(phoneSearchKey('+86 138')).toBe('138');
    expect(phoneSearchKey('13812345678')).toContain(phoneSearchKey('1234 56'));
  });

  it('is empty when there are no digits', () => {
    expect(phoneSearchKey('张三')).toBe('');
    expect(phoneSearchKey('')).toBe('');
  });
});

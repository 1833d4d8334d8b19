import { describe, expect, it } from 'vitest';
import { cnIdCheckChar, isValidCnIdNumber, parseCnIdNumber } from './id-number.ts';

const TODAY = new Date('2024-06-15T04:00:00Z'); // 12:00 in Shanghai

/** Check character computed the long way (ISO 7064 MOD 11-2: Σ aᵢ·2^(17−i) mod 11, then (12 − s) mod 11). */
function withCheck(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * (2 ** (17 - i) % 11);
  const v = (12 - (s % 11)) % 11;
  return first17 + (v === 10 ? 'X' : String(v));
}

describe('cnIdCheckChar', () => {
  it('matches published example IDs', () => {
    expect(cnIdCheckChar('11010519491231002')).toBe('X'); // GB 11643-1999 sample
    expect(cnIdCheckChar('44052418800101001')).toBe('4');
  });

  it('agrees with the definition for many numbers', () => {
    for (let n = 0; n < 2000; n++) {
      const first17 = `3301061990${String(n).padStart(7, '0')}`.slice(0, 17);
      expect(first17 + cnIdCheckChar(first17)).toBe(withCheck(first17));
    }
  });
});

describe('parseCnIdNumber', () => {
  it('reads birthday and gender (odd sequence = male)', () => {
    expect(parseCnIdNumber('11010519491231002X', TODAY)).toEqual({ birthday: '1949-12-31', gender: 'female' });
    expect(parseCnIdNumber(withCheck('33010619900307123'), TODAY)).toEqual({ birthday: '1990-03-07', gender: 'male' });
    expect(parseCnIdNumber(withCheck('44030420000229008'), TODAY)).toEqual({
      birthday: '2000-02-29',
      gender: 'female',
    });
  });

  it('accepts a lower-case x, spaces and full-width digits', () => {
    expect(parseCnIdNumber('11010519491231002x', TODAY)?.birthday).toBe('1949-12-31');
    expect(parseCnIdNumber('110105 19491231 002X', TODAY)?.birthday).toBe('1949-12-31');
    expect(parseCnIdNumber('１１０１０５１９４９１２３１００２Ｘ', TODAY)?.birthday).toBe('1949-12-31');
  });

  it('rejects a wrong check character', () => {
    expect(parseCnIdNumber('110105194912310021', TODAY)).toBeNull();
    const good = withCheck('33010619900307123');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(parseCnIdNumber(bad, TODAY)).toBeNull();
  });

  it('rejects a single mistyped or swapped digit', () => {
    const good = withCheck('33010619900307123');
    expect(parseCnIdNumber(good.slice(0, 10) + '9' + good.slice(11), TODAY)).toBeNull(); // 0→9 in the month
    expect(parseCnIdNumber(good.slice(0, 14) + good[15] + good[14] + good.slice(16), TODAY)).toBeNull(); // 2,3 swapped
  });

  it('rejects impossible or implausible birth dates even with a correct check character', () => {
    expect(parseCnIdNumber(withCheck('33010619900230123'), TODAY)).toBeNull(); // 30 February
    expect(parseCnIdNumber(withCheck('33010619010229123'), TODAY)).toBeNull(); // 1901 is not a leap year
    expect(parseCnIdNumber(withCheck('33010619901301123'), TODAY)).toBeNull(); // month 13
    expect(parseCnIdNumber(withCheck('33010619900100123'), TODAY)).toBeNull(); // day 0
    expect(parseCnIdNumber(withCheck('33010618991231123'), TODAY)).toBeNull(); // before 1900
  });

  it('rejects a birth date after today, in Shanghai time by default', () => {
    expect(parseCnIdNumber(withCheck('33010620240615123'), TODAY)?.birthday).toBe('2024-06-15'); // born today
    expect(parseCnIdNumber(withCheck('33010620240616123'), TODAY)).toBeNull(); // tomorrow
    const lateUtc = new Date('2024-06-15T17:00:00Z'); // already 16 June in Shanghai
    expect(parseCnIdNumber(withCheck('33010620240616123'), lateUtc)?.birthday).toBe('2024-06-16');
    expect(parseCnIdNumber(withCheck('33010620240616123'), lateUtc, 'UTC')).toBeNull();
  });

  it('rejects other shapes', () => {
    expect(parseCnIdNumber('', TODAY)).toBeNull();
    expect(parseCnIdNumber('110105491231002', TODAY)).toBeNull(); // old 15-digit
    expect(parseCnIdNumber('11010519491231002X1', TODAY)).toBeNull();
    expect(parseCnIdNumber('X10105194912310021', TODAY)).toBeNull();
    expect(parseCnIdNumber(withCheck('01010519491231002'), TODAY)).toBeNull(); // region cannot start with 0
    expect(parseCnIdNumber(withCheck('91010519491231002'), TODAY)).toBeNull(); // nor 9
  });
});

describe('isValidCnIdNumber', () => {
  it('is parseCnIdNumber !== null', () => {
    expect(isValidCnIdNumber('11010519491231002X', TODAY)).toBe(true);
    expect(isValidCnIdNumber('110105194912310021', TODAY)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeCardNumber } from './card-number.ts';
import { maskCardNumber } from './mask.ts';

describe('normalizeCardNumber', () => {
  it('keeps the digits of a grouped, dashed or full-width card number', () => {
    expect(normalizeCardNumber('6222 0212 3456 7890')).toBe('6222021234567890');
    expect(normalizeCardNumber('6222-0212-3456-7890-123')).toBe('6222021234567890123');
    expect(normalizeCardNumber('６２２２０２１２３４')).toBe('6222021234');
    expect(normalizeCardNumber('12345678')).toBe('12345678');
  });
  it('refuses letters and lengths outside 8–19 digits', () => {
    expect(normalizeCardNumber('1234567')).toBeNull();
    expect(normalizeCardNumber('12345678901234567890')).toBeNull();
    expect(normalizeCardNumber('6222 0212 ABCD')).toBeNull();
    expect(normalizeCardNumber('')).toBeNull();
  });
});

describe('maskCardNumber', () => {
  it('shows the first 4 and last 4 digits of a long card, the last 4 of a short one', () => {
    expect(maskCardNumber('6222021234567890')).toBe('6222****7890');
    expect(maskCardNumber('12345678')).toBe('****5678');
    expect(maskCardNumber('')).toBe('');
    expect(maskCardNumber('1234')).toBe('****');
  });
});

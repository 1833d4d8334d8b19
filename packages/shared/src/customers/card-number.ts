/**
 * Card numbers 卡号 (bank cards, membership cards): stored as digits only. People type or print them in groups
 * ("6222 0212 3456 7890", "6222-0212-…", full-width digits from a Chinese input method); all of those are the same
 * card. 8–19 digits: 19 is the longest bank card number (ISO/IEC 7812), 8 covers short membership cards.
 */
export const CARD_NUMBER_MIN = 8;
export const CARD_NUMBER_MAX = 19;

/** The digits of a card number, or null when it is not one (letters, or fewer than 8 / more than 19 digits). */
export function normalizeCardNumber(s: string): string | null {
  const d = s.normalize('NFKC').replace(/[\s\-－—]/g, '');
  return /^\d+$/.test(d) && d.length >= CARD_NUMBER_MIN && d.length <= CARD_NUMBER_MAX ? d : null;
}

import {
  COMPLAINT_SERVICE_WORDS,
  CONTRAST_AFTER,
  CONTRAST_BEFORE,
  CONTRASTS,
  DEGREES,
  NEGATIONS,
  NEGATIVE_WORDS,
  POSITIVE_WORDS,
} from './lexicon.ts';
import { NEGATION_WINDOW } from './segment.ts';

/** One sentiment word found by the rules, with the phrase it was read in (不是很好) and its signed value. */
export interface TLexiconHit {
  phrase: string;
  value: number;
}

/** A negation in front of a degree word softens (不是很好 is milder than 很不好). */
const NEGATED_DEGREE = 0.6;
/** A negated sentiment word turns, a little weaker (不好 ≈ -0.8 × 好; 不差 is only mildly positive). */
const NEGATED = 0.8;

const polarity = (token: string): number => POSITIVE_WORDS[token] ?? -(NEGATIVE_WORDS[token] ?? 0);

/**
 * The lexicon score of a text: each sentiment word's strength, turned by a negation word and scaled by a degree word
 * in the tokens before it (within its clause), weighted by its clause's place around a contrast word 转折词 — the
 * clauses before 但是 count half, the one it opens one and a half. Returns the sum and the phrases found.
 */
/** A piece of a clause and its weight around the last contrast word 转折词 of the text. */
export interface TPart {
  tokens: readonly string[];
  weight: number;
}

/**
 * The text cut at punctuation and at contrast words (环境不错但服务差 has two parts). With a contrast, the parts
 * before the last one count CONTRAST_BEFORE and the part it opens (and any after) CONTRAST_AFTER; without, all 1.
 */
export function contrastParts(clauses: readonly (readonly string[])[]): TPart[] {
  const parts: { tokens: readonly string[]; opensContrast: boolean }[] = [];
  for (const clause of clauses) {
    let start = 0;
    let opens = CONTRASTS.has(clause[0] ?? '');
    for (let i = 1; i < clause.length; i++) {
      if (CONTRASTS.has(clause[i]!)) {
        parts.push({ tokens: clause.slice(start, i), opensContrast: opens });
        start = i;
        opens = true;
      }
    }
    parts.push({ tokens: clause.slice(start), opensContrast: opens });
  }
  let last = -1;
  parts.forEach((p, i) => {
    if (p.opensContrast && p.tokens.length > 1) last = i;
  });
  return parts.map((p, i) => ({
    tokens: p.tokens,
    weight: last < 0 ? 1 : i < last ? CONTRAST_BEFORE : CONTRAST_AFTER,
  }));
}

/**
 * The lexicon score of a text: each sentiment word's strength, turned by a negation word and scaled by a degree word
 * in the tokens before it (within its part), times its part's weight around a contrast word. Returns the sum and
 * the phrases found.
 */
export function lexiconScore(clauses: readonly (readonly string[])[]): { score: number; hits: TLexiconHit[] } {
  const hits: TLexiconHit[] = [];
  for (const { tokens, weight } of contrastParts(clauses)) {
    let lastHit = -1;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      let value = polarity(token);
      if (value === 0) continue;
      // 好 before another sentiment word is a degree word (好干净), not praise.
      if (token === '好' && i + 1 < tokens.length && polarity(tokens[i + 1]!) !== 0) continue;
      // 投诉处理, 投诉电话: the complaint service, not a complaint.
      if (token === '投诉' && COMPLAINT_SERVICE_WORDS.includes(tokens[i + 1] ?? '')) continue;
      let negatedAt = -1;
      let degree = 1;
      let degreeAt = -1;
      for (let j = i - 1; j >= Math.max(lastHit + 1, i - NEGATION_WINDOW); j--) {
        const t = tokens[j]!;
        if (NEGATIONS.has(t) && negatedAt < 0) negatedAt = j;
        else if (DEGREES[t] !== undefined && degreeAt < 0) {
          degree = DEGREES[t];
          degreeAt = j;
        }
      }
      if (negatedAt >= 0 && degreeAt > negatedAt) value = -value * NEGATED_DEGREE;
      else if (negatedAt >= 0) value = -value * NEGATED * degree;
      else value *= degree;
      const from = Math.min(...[negatedAt, degreeAt, i].filter((x) => x >= 0));
      hits.push({ phrase: tokens.slice(from, i + 1).join(''), value: value * weight });
      lastHit = i;
    }
  }
  return { score: hits.reduce((s, h) => s + h.value, 0), hits };
}

import fs from 'node:fs';
import type { TFeedbackCategory, TFeedbackLabels, TFeedbackSentiment } from '@huifang/shared';
import {
  COMPLAINT_CUES,
  COMPLAINT_SERVICE_WORDS,
  EXPLICIT_COMPLAINT_CUES,
  SUGGESTION_CUES,
  TOPICS,
} from './lexicon.ts';
import type { TLinearModel } from './logistic.ts';
import { contrastParts, lexiconScore } from './rules.ts';
import { NEGATED, normalizeText, segmentClauses, weightedFeatures } from './segment.ts';

/**
 * The feedback classifier 反馈文本分类 (DESIGN §6): category praise 表扬 / suggestion 建议 / complaint 投诉, sentiment
 * positive / neutral / negative with a score in -1..1, topics 话题 and the keywords that drove the decision.
 *
 * Sentiment = a logistic regression over jieba unigrams (negation-marked) and bigrams, trained on the labelled review
 * corpora by train-classifier.ts (weights in model.json), plus `lambda` × the lexicon score of rules.ts (negation,
 * degree and contrast rules). Pure and deterministic: the same text always gets the same labels.
 */

/** The stored model, as train-classifier.ts writes it. */
export interface TModelFile {
  version: number;
  /** How the model was made (corpora, split, options, validation figures): for the reader, not used here. */
  trainedOn: Record<string, unknown>;
  bias: number;
  normalize: boolean;
  /** Weight of the lexicon score beside the model's logit. */
  lambda: number;
  weights: Record<string, number>;
}

export interface TSentimentModel extends TLinearModel {
  lambda: number;
}

export const MODEL_PATH = new URL('./model.json', import.meta.url);

export function toSentimentModel(file: TModelFile): TSentimentModel {
  return {
    bias: file.bias,
    normalize: file.normalize,
    lambda: file.lambda,
    weights: new Map(Object.entries(file.weights)),
  };
}

/**
 * The combined logit: the model's (each feature's weight times its contrast-part weight) plus `lambda` × the lexicon
 * score, both divided by sqrt(number of features), so the rules weigh as much in a short remark (不是很好) as the
 * model does, and do not swamp a long review.
 */
export function combinedLogit(model: TSentimentModel, features: ReadonlyMap<string, number>, lexicon: number): number {
  let z = 0;
  for (const [f, weight] of features) z += (model.weights.get(f) ?? 0) * weight;
  const n = Math.sqrt(Math.max(1, features.size));
  return model.bias + (model.normalize ? z / n : z) + (model.lambda * lexicon) / n;
}

let loaded: TSentimentModel | null = null;
/** The shipped model, read once per process. */
export function shippedModel(): TSentimentModel {
  return (loaded ??= toSentimentModel(JSON.parse(fs.readFileSync(MODEL_PATH, 'utf8')) as TModelFile));
}

/** |score| below this is neutral. */
export const NEUTRAL_BAND = 0.2;
/** A model feature weaker than this is not evidence of sentiment on its own. */
const EVIDENCE_WEIGHT = 0.35;
const MAX_KEYWORDS = 6;

const hasCue = (text: string, cues: readonly string[]) => cues.filter((c) => text.includes(c));

/** The text without 投诉 where it names the complaint service (投诉处理, 投诉电话…), for the cue search. */
const SERVICE_MENTION = new RegExp(`投诉(?=${COMPLAINT_SERVICE_WORDS.join('|')})`, 'g');

/** The surface words of a model feature: `a_b` → ab, `¬好` → 好. */
const surface = (feature: string) => feature.replace(NEGATED, '').replace('_', '');

function topicsOf(text: string, tokens: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [topic, words] of Object.entries(TOPICS))
    if (words.some((w) => ([...w].length > 1 ? text.includes(w) : tokens.has(w)))) out.push(topic);
  return out;
}

/** Sentiment and its score from the model's logit and the lexicon, with the words that weighed most. */
export function scoreSentiment(
  clauses: readonly (readonly string[])[],
  model: TSentimentModel = shippedModel(),
): { sentiment: TFeedbackSentiment; score: number; drivers: { word: string; weight: number }[] } {
  const features = weightedFeatures(contrastParts(clauses));
  const lex = lexiconScore(clauses);
  const z = combinedLogit(model, features, lex.score);
  const score = Math.round(Math.tanh(z / 2) * 1000) / 1000;
  const norm = 1 / Math.sqrt(Math.max(1, features.size));
  const drivers = [
    ...[...features].map(([f, weight]) => ({
      word: surface(f),
      weight: (model.weights.get(f) ?? 0) * weight * (model.normalize ? norm : 1),
    })),
    ...lex.hits.map((h) => ({ word: h.phrase, weight: model.lambda * h.value * norm })),
  ];
  const hasEvidence =
    lex.hits.length > 0 || [...features.keys()].some((f) => Math.abs(model.weights.get(f) ?? 0) >= EVIDENCE_WEIGHT);
  const sentiment: TFeedbackSentiment =
    !hasEvidence || Math.abs(score) < NEUTRAL_BAND ? 'neutral' : score > 0 ? 'positive' : 'negative';
  return { sentiment, score, drivers };
}

/**
 * The words that drove the decision: for a positive or negative text the strongest contributions in its direction,
 * for a neutral one the strongest either way; each a word of the text, once, longest phrase first when one contains
 * another.
 */
function keywordsOf(
  drivers: { word: string; weight: number }[],
  sentiment: TFeedbackSentiment,
  text: string,
  cues: string[],
): string[] {
  const sign = sentiment === 'positive' ? 1 : sentiment === 'negative' ? -1 : 0;
  const ranked = drivers
    .filter(
      (d) => d.word && text.includes(d.word) && (sign === 0 ? Math.abs(d.weight) >= 0.05 : d.weight * sign > 0.02),
    )
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.word < b.word ? -1 : 1))
    .map((d) => d.word);
  const out: string[] = [];
  for (const w of [...cues, ...ranked]) {
    if (out.length >= MAX_KEYWORDS) break;
    if (out.some((o) => o.includes(w))) continue;
    const inner = out.findIndex((o) => w.includes(o));
    if (inner >= 0) out[inner] = w;
    else out.push(w);
  }
  return [...new Set(out)];
}

/**
 * Category: 投诉/举报… make a complaint whatever the tone; a negative text with a complaint cue (差, 太慢, 态度…) is
 * a complaint; otherwise a suggestion cue (建议, 希望, 能不能…) makes a suggestion; then negative → complaint, positive
 * → praise, and a neutral remark without cues → suggestion (意见建议, the catch-all of feedback desks).
 */
function categoryOf(
  sentiment: TFeedbackSentiment,
  explicit: string[],
  complaint: string[],
  suggestion: string[],
): TFeedbackCategory {
  if (explicit.length) return 'complaint';
  if (sentiment === 'negative' && complaint.length) return 'complaint';
  if (suggestion.length) return 'suggestion';
  if (sentiment === 'negative') return 'complaint';
  if (sentiment === 'positive') return 'praise';
  return 'suggestion';
}

/** Classify one text. */
export function classifyText(text: string, model: TSentimentModel = shippedModel()): TFeedbackLabels {
  const norm = normalizeText(text);
  const clauses = segmentClauses(norm);
  const { sentiment, score, drivers } = scoreSentiment(clauses, model);
  const cueText = norm.replace(SERVICE_MENTION, '　');
  const explicit = hasCue(cueText, EXPLICIT_COMPLAINT_CUES);
  const complaint = hasCue(cueText, COMPLAINT_CUES);
  const suggestion = hasCue(norm, SUGGESTION_CUES);
  const category = categoryOf(sentiment, explicit, complaint, suggestion);
  const cues = category === 'complaint' ? [...explicit, ...complaint] : category === 'suggestion' ? suggestion : [];
  return {
    category,
    sentiment,
    score,
    topics: topicsOf(norm, new Set(clauses.flat())),
    keywords: keywordsOf(drivers, sentiment, norm, [...new Set(cues)]),
  };
}

/** Classify texts in order. */
export function classifyTexts(texts: readonly string[], model: TSentimentModel = shippedModel()): TFeedbackLabels[] {
  return texts.map((t) => classifyText(t, model));
}

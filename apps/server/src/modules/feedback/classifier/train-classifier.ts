/**
 * Train the feedback sentiment model and write model.json beside this file:
 *   npm run train:classifier -w @huifang/server
 * Reads the labelled corpora from ../shared/data/reviews/ beside the project root (never copied into the repository)
 * and fits ONLY on the training side of the fixed held-out split (corpus.ts `holdoutSplit`, the split
 * bench/feedback-classify.ts measures on). The lexicon weight `lambda` is chosen on a validation slice carved out of
 * the training side (seed 7), then the model is refitted on the whole training side. Deterministic: the same data
 * gives the same file.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { combinedLogit, MODEL_PATH, type TModelFile, type TSentimentModel } from './classify.ts';
import {
  CORPORA,
  CorpusMissingError,
  HOLDOUT_SEED,
  HOLDOUT_SHARE,
  holdoutSplit,
  readCorpus,
  REVIEWS_DIR,
  type TLabelled,
} from './corpus.ts';
import { pruneModel, trainLogistic, type TLogisticOptions } from './logistic.ts';
import { contrastParts, lexiconScore } from './rules.ts';
import { segmentClauses, textFeatures, weightedFeatures } from './segment.ts';

export const TRAINING_OPTIONS: TLogisticOptions = {
  epochs: 5,
  learningRate: 0.3,
  l2: 1e-4,
  minCount: 2,
  seed: 1,
  normalize: true,
};
/** Features kept in model.json (largest weights): ~1 MB of JSON. */
export const KEEP_FEATURES = 40_000;
const LAMBDAS = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];
const VALIDATION_SEED = 7;

interface TPrepared {
  features: string[];
  weighted: Map<string, number>;
  lex: number;
  label: 0 | 1;
}

const prepare = (rows: readonly TLabelled[]): TPrepared[] =>
  rows.map((r) => {
    const clauses = segmentClauses(r.text);
    return {
      features: textFeatures(clauses),
      weighted: weightedFeatures(contrastParts(clauses)),
      lex: lexiconScore(clauses).score,
      label: r.label,
    };
  });

const fit = (rows: readonly TPrepared[]) =>
  pruneModel(
    trainLogistic(
      rows.map((r) => r.features),
      rows.map((r) => r.label),
      TRAINING_OPTIONS,
    ),
    KEEP_FEATURES,
  );

const accuracy = (model: TSentimentModel, rows: readonly TPrepared[]) =>
  rows.filter((r) => (combinedLogit(model, r.weighted, r.lex) >= 0 ? 1 : 0) === r.label).length / rows.length;

export function trainModel(log: (line: string) => void = () => undefined): TModelFile {
  const corpora = CORPORA.map((name) => {
    const { train } = holdoutSplit(readCorpus(name));
    const inner = holdoutSplit(train, VALIDATION_SEED, HOLDOUT_SHARE);
    return { name, train: prepare(train), fit: prepare(inner.train), validation: prepare(inner.test) };
  });
  const inner = fit(corpora.flatMap((c) => c.fit));
  let best = { lambda: 0, mean: -1, perCorpus: {} as Record<string, number> };
  for (const lambda of LAMBDAS) {
    const perCorpus = Object.fromEntries(
      corpora.map((c) => [c.name, Math.round(accuracy({ ...inner, lambda }, c.validation) * 1e4) / 1e4]),
    );
    const mean = Object.values(perCorpus).reduce((s, v) => s + v, 0) / corpora.length;
    log(`lambda ${lambda}: validation accuracy ${JSON.stringify(perCorpus)}`);
    if (mean > best.mean + 1e-9) best = { lambda, mean, perCorpus };
  }
  const model = fit(corpora.flatMap((c) => c.train));
  const weights = Object.fromEntries([...model.weights].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return {
    version: 1,
    trainedOn: {
      corpora: corpora.map((c) => ({ file: c.name, trainingRows: c.train.length })),
      split: { seed: HOLDOUT_SEED, heldOutShare: HOLDOUT_SHARE, note: 'fitted on the training side only' },
      options: TRAINING_OPTIONS,
      keepFeatures: KEEP_FEATURES,
      lambdaValidation: { seed: VALIDATION_SEED, chosen: best.lambda, accuracy: best.perCorpus },
    },
    bias: Math.round(model.bias * 1e4) / 1e4,
    normalize: model.normalize,
    lambda: best.lambda,
    weights,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  try {
    const t0 = performance.now();
    const file = trainModel((line) => process.stdout.write(`${line}\n`));
    fs.writeFileSync(MODEL_PATH, `${JSON.stringify(file)}\n`);
    const size = fs.statSync(MODEL_PATH).size;
    process.stdout.write(
      `wrote ${fileURLToPath(MODEL_PATH)}: ${Object.keys(file.weights).length} features, lambda ${file.lambda}, ` +
        `${(size / 1024).toFixed(0)} KiB, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  } catch (err) {
    if (err instanceof CorpusMissingError) {
      process.stderr.write(`${err.message}\n(looked in ${REVIEWS_DIR})\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * The feedback classifier (issue 13) on the labelled review corpora in ../shared/data/reviews/: for each corpus its
 * fixed, seeded held-out split (20 %, seed HOLDOUT_SEED — the rows train-classifier.ts never fitted on), sentiment
 * accuracy and macro-F1 of positive vs negative — the sign of the shipped classifier's score, through the whole
 * pipeline (segmentation, model, lexicon rules) — beside a majority-class baseline (the majority label of the
 * training side) in the same run. Also the share the API would call neutral (the corpora have no neutral label), and
 * throughput: texts/s of classifyTexts against jieba segmentation alone on the same texts. Goal: ≥ 88 % accuracy on
 * each held-out split.
 *   npx tsx bench/feedback-classify.ts   (or npm run bench -- feedback-classify)
 */
import { classifyTexts, shippedModel } from '../apps/server/src/modules/feedback/classifier/classify.ts';
import {
  CORPORA,
  CorpusMissingError,
  HOLDOUT_SEED,
  HOLDOUT_SHARE,
  holdoutSplit,
  readCorpus,
} from '../apps/server/src/modules/feedback/classifier/corpus.ts';
import { segmentClauses } from '../apps/server/src/modules/feedback/classifier/segment.ts';

type TLabel = 0 | 1;

function metrics(truth: readonly TLabel[], predicted: readonly TLabel[]) {
  let correct = 0;
  const f1s: number[] = [];
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  for (const c of [0, 1] as const) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    f1s.push(precision + recall ? (2 * precision * recall) / (precision + recall) : 0);
  }
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return { accuracy: r4(correct / truth.length), macroF1: r4((f1s[0]! + f1s[1]!) / 2) };
}

function textsPerSecond(texts: readonly string[], run: (t: readonly string[]) => unknown): number {
  run(texts.slice(0, 200)); // warm-up
  const t0 = performance.now();
  run(texts);
  return Math.round(texts.length / ((performance.now() - t0) / 1000));
}

try {
  shippedModel();
  segmentClauses('预热');
  const corpora = CORPORA.map((name) => {
    const { train, test } = holdoutSplit(readCorpus(name));
    const truth = test.map((r) => r.label);
    const texts = test.map((r) => r.text);
    const labels = classifyTexts(texts);
    const predicted = labels.map((l): TLabel => (l.score >= 0 ? 1 : 0));
    const majority: TLabel = train.filter((r) => r.label === 1).length * 2 >= train.length ? 1 : 0;
    const classifier = metrics(truth, predicted);
    return {
      corpus: name,
      heldOut: test.length,
      trainingRows: train.length,
      classifier,
      baseline: {
        kind: 'majority class',
        predicts: majority === 1 ? 'positive' : 'negative',
        ...metrics(
          truth,
          truth.map(() => majority),
        ),
      },
      neutralShare: Math.round((labels.filter((l) => l.sentiment === 'neutral').length / labels.length) * 1e4) / 1e4,
      meetsGoal: classifier.accuracy >= 0.88,
      throughput: {
        classifyTextsPerSecond: textsPerSecond(texts, classifyTexts),
        baselineSegmentationOnlyTextsPerSecond: textsPerSecond(texts, (t) => t.map((x) => segmentClauses(x))),
      },
    };
  });
  console.log(
    JSON.stringify(
      {
        bench: 'feedback-classify',
        split: { seed: HOLDOUT_SEED, heldOutShare: HOLDOUT_SHARE },
        goal: 'accuracy >= 0.88 on each held-out split',
        corpora,
      },
      null,
      2,
    ),
  );
} catch (err) {
  if (err instanceof CorpusMissingError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

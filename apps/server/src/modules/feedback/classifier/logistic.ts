import { seededRandom } from './corpus.ts';

/**
 * Binary logistic regression over sparse binary features (presence of a word or bigram), fitted with AdaGrad SGD and
 * L2 regularisation. Deterministic: the order of the examples in each epoch comes from a seeded shuffle.
 */
export interface TLogisticOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Features seen in fewer training texts are dropped. */
  minCount: number;
  seed: number;
  /** Scale each feature by its naive-Bayes log-count ratio (NB-LR); the ratio is folded into the weights. */
  nbScale?: number;
  /** Divide the sum by sqrt(number of features): long reviews do not shout down short ones. */
  normalize?: boolean;
}

export interface TLinearModel {
  bias: number;
  weights: Map<string, number>;
  normalize: boolean;
}

export function trainLogistic(
  docs: readonly (readonly string[])[],
  labels: readonly (0 | 1)[],
  opts: TLogisticOptions,
) {
  const counts = new Map<string, number>();
  for (const d of docs) for (const f of d) counts.set(f, (counts.get(f) ?? 0) + 1);
  const index = new Map<string, number>();
  for (const [f, c] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    if (c >= opts.minCount) index.set(f, index.size);
  const encoded = docs.map((d) => d.map((f) => index.get(f)).filter((i): i is number => i !== undefined));
  const scale = new Float64Array(index.size).fill(1);
  if (opts.nbScale) {
    const pos = new Float64Array(index.size).fill(opts.nbScale);
    const neg = new Float64Array(index.size).fill(opts.nbScale);
    encoded.forEach((x, k) => {
      for (const f of x) (labels[k] ? pos : neg)[f]! += 1;
    });
    let sp = 0;
    let sn = 0;
    for (let f = 0; f < index.size; f++) {
      sp += pos[f]!;
      sn += neg[f]!;
    }
    for (let f = 0; f < index.size; f++) scale[f] = Math.log(pos[f]! / sp / (neg[f]! / sn));
  }
  const w = new Float64Array(index.size);
  const g2 = new Float64Array(index.size).fill(1e-8);
  let bias = 0;
  let biasG2 = 1e-8;
  const order = encoded.map((_, i) => i);
  const rnd = seededRandom(opts.seed);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const x = encoded[k]!;
      const norm = opts.normalize ? 1 / Math.sqrt(Math.max(1, docs[k]!.length)) : 1;
      let z = 0;
      for (const f of x) z += w[f]! * scale[f]!;
      z = bias + z * norm;
      const p = 1 / (1 + Math.exp(-z));
      const err = p - labels[k]!;
      biasG2 += err * err;
      bias -= (opts.learningRate / Math.sqrt(biasG2)) * err;
      for (const f of x) {
        const g = err * scale[f]! * norm + opts.l2 * w[f]!;
        g2[f]! += g * g;
        w[f]! -= (opts.learningRate / Math.sqrt(g2[f]!)) * g;
      }
    }
  }
  const weights = new Map<string, number>();
  for (const [f, i] of index) if (w[i] !== 0) weights.set(f, w[i]! * scale[i]!);
  return { bias, weights, normalize: Boolean(opts.normalize) } satisfies TLinearModel;
}

/** The model's logit for one text's features. */
export function logit(model: TLinearModel, features: readonly string[]): number {
  let z = 0;
  for (const f of features) z += model.weights.get(f) ?? 0;
  return model.bias + (model.normalize ? z / Math.sqrt(Math.max(1, features.length)) : z);
}

/** Keep the `keep` features of largest absolute weight (ties by name), rounded to 4 decimals. */
export function pruneModel(model: TLinearModel, keep: number): TLinearModel {
  const top = [...model.weights]
    .filter(([, v]) => Math.abs(v) >= 1e-4)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, keep);
  return {
    bias: model.bias,
    normalize: model.normalize,
    weights: new Map(top.map(([f, v]) => [f, Math.round(v * 1e4) / 1e4])),
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The labelled review corpora (label 1 positive / 0 negative, review) kept outside the repository in
 * `../shared/data/reviews/` beside the project root. They are read by path, never copied into the project; the
 * training script and the benchmark share this reader and the held-out split below.
 */
export const CORPORA = ['waimai_10k.csv', 'ChnSentiCorp_htl_all.csv'] as const;
export type TCorpusName = (typeof CORPORA)[number];

export interface TLabelled {
  text: string;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
}

/** The project root: apps/server/src/modules/feedback/classifier → six levels up. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../..');
export const REVIEWS_DIR = path.resolve(PROJECT_ROOT, '../shared/data/reviews');

/** Thrown when a corpus is not where it is expected; the message says where it was looked for. */
export class CorpusMissingError extends Error {}

/** Parse CSV with a header row and RFC 4180 quoting ("" inside quotes). */
export function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (quoted) {
      if (c === '"') {
        if (content[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && content[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Read one corpus by name; rows with an unknown label or an empty review are skipped. */
export function readCorpus(name: TCorpusName, dir: string = REVIEWS_DIR): TLabelled[] {
  const file = path.join(dir, name);
  if (!fs.existsSync(file))
    throw new CorpusMissingError(
      `labelled corpus ${name} not found at ${file}: the review corpora live outside the repository in ` +
        `../shared/data/reviews/ beside the project root (see the README there); they are not shipped with the code`,
    );
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  const labelAt = header?.indexOf('label') ?? -1;
  const reviewAt = header?.indexOf('review') ?? -1;
  if (labelAt < 0 || reviewAt < 0) throw new Error(`${file}: expected the columns label and review`);
  const out: TLabelled[] = [];
  for (const r of rows) {
    const label = r[labelAt]?.trim();
    const text = r[reviewAt]?.trim() ?? '';
    if ((label === '0' || label === '1') && text) out.push({ text, label: label === '1' ? 1 : 0 });
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so the split is the same on every machine and run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const HOLDOUT_SEED = 20261205;
export const HOLDOUT_SHARE = 0.2;

/**
 * The fixed held-out split of a corpus: a seeded Fisher–Yates shuffle of the row indices, the first 20 % held out.
 * The training script fits only on `train`; the benchmark measures only on `test`.
 */
export function holdoutSplit<T>(
  rows: readonly T[],
  seed: number = HOLDOUT_SEED,
  share: number = HOLDOUT_SHARE,
): { train: T[]; test: T[] } {
  const idx = rows.map((_, i) => i);
  const rnd = seededRandom(seed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const cut = Math.round(rows.length * share);
  return { test: idx.slice(0, cut).map((i) => rows[i]!), train: idx.slice(cut).map((i) => rows[i]!) };
}

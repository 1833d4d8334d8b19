import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One owner per fact (CONVENTIONS 15, issue 12): modules/evaluations is the only code that writes the evaluation
 * store — `evaluations`, `evaluation_corrections` and its outbox `evaluation_events` (+ the consumers' markers and
 * floors). Everyone else hands rows to `recordEvaluations` / `recordFromSource` / `recordCorrection`. This test reads
 * the source tree and fails on any SQL or Drizzle write to those tables elsewhere (the schema and the generated
 * migrations excepted).
 */

const REPO = path.resolve(import.meta.dirname, '../../..');
const OWNER = 'apps/server/src/modules/evaluations/';
const EXEMPT = [
  OWNER,
  'apps/server/src/db/schema/',
  'apps/server/src/db/migrations/',
  // Benchmarks of the store itself: the 10M-row generator (generate_series with the rollup triggers off, then the
  // rebuild) and the write-cost bench that times a bare INSERT with and without the triggers. Named one by one.
  'bench/service-stats.ts',
  'bench/rollups-write-cost.ts',
  // The analytics bench's generator: 10 M evaluations by generate_series with the triggers off, then the rebuild.
  'bench/analytics.ts',
];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'data', 'coverage', 'test-results']);

const TABLES =
  'evaluations|evaluation_corrections|evaluation_events|evaluation_event_consumptions|evaluation_event_floors';
const DRIZZLE_TABLES =
  'evaluations|evaluationCorrections|evaluationEvents|evaluationEventConsumptions|evaluationEventFloors';
const TABLE = `(?:"?public"?\\.)?"?(?:${TABLES})"?(?![\\w])`;
/** SQL writes (any case, across line breaks) and Drizzle writes (`.insert(evaluations)`, `tx.update(schema.evaluations)`). */
const WRITES: RegExp[] = [
  new RegExp(`\\binsert\\s+into\\s+${TABLE}`, 'i'),
  new RegExp(`\\bupdate\\s+(?:only\\s+)?${TABLE}\\s+(?:as\\s+\\w+\\s+|\\w+\\s+)?set\\b`, 'i'),
  new RegExp(`\\bdelete\\s+from\\s+(?:only\\s+)?${TABLE}`, 'i'),
  new RegExp(`\\btruncate\\s+(?:table\\s+)?(?:only\\s+)?${TABLE}`, 'i'),
  new RegExp(`\\bmerge\\s+into\\s+${TABLE}`, 'i'),
  new RegExp(`\\bcopy\\s+${TABLE}[^;]*?\\bfrom\\b`, 'i'),
  new RegExp(`\\.(?:insert|update|delete)\\(\\s*(?:\\w+\\.)?(?:${DRIZZLE_TABLES})\\s*\\)`),
];

/** Every write to the store found in `text`: the line and the matched text. */
export function findStoreWrites(text: string): { line: number; match: string }[] {
  const found: { line: number; match: string }[] = [];
  for (const re of WRITES) {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    for (const m of text.matchAll(g)) {
      found.push({ line: text.slice(0, m.index).split('\n').length, match: m[0].replace(/\s+/g, ' ') });
    }
  }
  return found;
}

/** The source files (TS/JS/SQL) under `root`, as paths relative to it, outside the owner and the exempt folders. */
export function foreignStoreWrites(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(abs);
        continue;
      }
      if (!/\.(?:[cm]?[jt]sx?|sql)$/.test(entry.name)) continue;
      if (EXEMPT.some((p) => rel.startsWith(p)) || rel === 'apps/server/test/evaluation-ownership.test.ts') continue;
      for (const w of findStoreWrites(fs.readFileSync(abs, 'utf8'))) out.push(`${rel}:${w.line}: ${w.match}`);
    }
  };
  walk(root);
  return out;
}

describe('the evaluation store has one writer', () => {
  it('finds the writes it is meant to find, and not reads', () => {
    const writes = [
      'insert into evaluations (tenant_id) values ($1)',
      'INSERT INTO "evaluations"\n  (tenant_id)',
      'insert into public.evaluation_corrections (kind) select',
      'insert into evaluation_events (kind)',
      'update evaluations set score = 5',
      'update evaluations e set score = 5',
      'UPDATE evaluation_corrections\n SET reason = $1',
      'delete from evaluations where id = $1',
      'truncate evaluations cascade',
      'await tx.insert(evaluations).values(row)',
      'db.update(evaluationCorrections).set({})',
      'db.delete(schema.evaluations)',
      'copy evaluations (id) from stdin',
    ];
    for (const w of writes) expect(findStoreWrites(w), w).toHaveLength(1);
    const reads = [
      'select * from evaluations e where e.id = $1',
      'left join evaluations e on e.id = x.evaluation_id',
      'insert into evaluations_archive (id) values ($1)',
      'insert into survey_responses (evaluation_id) values ($1)',
      'update followup_attempts set evaluation_id = $1',
      'db.select().from(evaluations)',
      'db.insert(evaluationsArchive)',
    ];
    for (const r of reads) expect(findStoreWrites(r), r).toEqual([]);
  });

  it(`no file outside ${OWNER} (and the schema and migrations) writes evaluations, corrections or their events`, () => {
    expect(foreignStoreWrites(REPO)).toEqual([]);
  });
});

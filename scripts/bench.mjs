#!/usr/bin/env node
// `npm run bench`: run every bench/*.ts (or those named on the command line); each prints one JSON object with a
// baseline measured in the same run, so results are ratios. Not part of CI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);
const files = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
let failed = 0;
for (const f of files) {
  // The server's heap limit (apps/server/package.json "start"): benches that host the app measure it as it runs.
  // Without it V8 sizes the heap from the machine's memory (4 GB here) and collects lazily: the import peaked at
  // 500 MB RSS; with it, ~310 MB.
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join('bench', f)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// `npm test`: every test layer on a fresh machine.
//  1. System packages npm cannot bring: Debian's chromium, fonts-noto-cjk (Chinese glyphs in screenshots) and
//     postgresql (the external-database tests). Installed here when running as root, else we stop with the command.
//  2. Typecheck, lint (ESLint) and format check (Prettier, width 120), build the web app (the e2e layer drives the built SPA served by the real server).
//  3. vitest project `server` (unit + integration on real PostgreSQL), then project `e2e` (Chromium journeys).
//  4. The crash test (`npm run test:resilience`): kill -9 of the API process and of the bundled postmaster under load.
//  5. A closing line "N passed, N failed" summing them all.
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const artefacts = path.join(root, '.artifacts');
fs.mkdirSync(artefacts, { recursive: true });

function has(pkgCheck) {
  try {
    return pkgCheck();
  } catch {
    return false;
  }
}
const dpkgInstalled = (name) =>
  has(() => execSync(`dpkg-query -W -f='\${Status}' ${name} 2>/dev/null`).toString().includes('install ok installed'));
const pgBinPresent = () =>
  has(() => fs.readdirSync('/usr/lib/postgresql').some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)));

const missing = [];
if (!fs.existsSync('/usr/bin/chromium')) missing.push('chromium');
if (!dpkgInstalled('fonts-noto-cjk')) missing.push('fonts-noto-cjk');
if (!pgBinPresent()) missing.push('postgresql');

if (missing.length) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() === 0) {
    console.log(`[test] installing system packages: ${missing.join(', ')}`);
    const r = spawnSync('bash', ['-c', `export DEBIAN_FRONTEND=noninteractive; ${cmd}`], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`[test] could not install ${missing.join(', ')}; run as root: ${cmd}`);
      process.exit(1);
    }
  } else {
    console.error(`[test] missing system packages: ${missing.join(', ')}. Run as root:\n  ${cmd}`);
    process.exit(1);
  }
}

function run(label, cmd, args) {
  console.log(`\n[test] ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  return r.status ?? 1;
}

const npx = (bin, args) => ['node', [path.join(root, 'node_modules', bin), ...args]];
if (run('typecheck', ...npx('typescript/bin/tsc', ['-p', 'packages/shared'])) !== 0) process.exit(1);
if (run('typecheck', ...npx('typescript/bin/tsc', ['-p', 'apps/server'])) !== 0) process.exit(1);
if (run('typecheck', ...npx('typescript/bin/tsc', ['-p', 'apps/web'])) !== 0) process.exit(1);
if (run('lint', ...npx('eslint/bin/eslint.js', ['.'])) !== 0) process.exit(1);
if (run('format check', ...npx('prettier/bin/prettier.cjs', ['--check', '.', '--log-level', 'warn'])) !== 0) {
  console.error('[test] run `npm run format` to reformat, then commit');
  process.exit(1);
}
if (run('build web', 'npm', ['run', 'build', '-w', '@huifang/web']) !== 0) process.exit(1);

let passed = 0;
let failed = 0;
let ok = true;
// The failures, repeated at the very end: CI keeps only the tail of the output.
const failures = [];
for (const project of ['server', 'e2e']) {
  const out = path.join(artefacts, `vitest-${project}.json`);
  fs.rmSync(out, { force: true });
  const status = run(
    `${project} tests`,
    ...npx('vitest/vitest.mjs', [
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ]),
  );
  if (fs.existsSync(out)) {
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed +=
      report.numFailedTests +
      (report.numTotalTests -
        report.numPassedTests -
        report.numFailedTests -
        report.numPendingTests -
        report.numTodoTests);
    for (const file of report.testResults ?? []) {
      const name = path.relative(root, file.name);
      const bad = (file.assertionResults ?? []).filter((a) => a.status !== 'passed' && a.status !== 'skipped');
      for (const a of bad)
        failures.push(
          `${name} > ${a.fullName}: ${String(a.failureMessages?.[0] ?? a.status)
            .split('\n')[0]
            .slice(0, 300)}`,
        );
      if (file.status === 'failed' && !bad.length)
        failures.push(
          `${name}: ${String(file.message ?? 'failed')
            .split('\n')[0]
            .slice(0, 300)}`,
        );
    }
  }
  if (status !== 0) ok = false;
}
// 4. The crash test (its own step): kill -9 of the API process and of the bundled postmaster under load.
{
  const out = path.join(artefacts, 'crash-test.json');
  fs.rmSync(out, { force: true });
  process.env.CRASH_REPORT = out;
  const status = run('crash test', 'node', ['--import', 'tsx', 'apps/server/test/crash-test.ts']);
  if (fs.existsSync(out)) {
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed += report.passed;
    failed += report.failed;
  } else failed += 1;
  if (status !== 0) ok = false;
}
if (failures.length) console.log(`\n[test] failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 && passed > 0 ? 0 : 1);

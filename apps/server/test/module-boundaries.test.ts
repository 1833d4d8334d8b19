import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Import rules over the source tree that keep the modules from growing back into each other. Before issue 12,
 * messaging/ and settings/ imported followup/ (calendar, contact policy, script) while followup/ imported them back
 * (messaging's outbox, settings' business calendar); those shared rules now live in modules/policy/.
 */
const SRC = path.resolve(import.meta.dirname, '../src');
const MODULES = path.join(SRC, 'modules');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every relative module a file imports (static, `export … from`, dynamic), resolved to an absolute path. */
function importsOf(file: string): { target: string; isTypeOnly: boolean }[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: { target: string; isTypeOnly: boolean }[] = [];
  const re =
    /(?:^|\n)\s*(import\s+type\b|import|export)\b[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) {
    const spec = m[2] ?? m[3]!;
    out.push({ target: path.resolve(path.dirname(file), spec), isTypeOnly: m[1] === 'import type' });
  }
  return out;
}

/** The module folder (modules/<name>/…) a path belongs to, or null outside modules/. */
function moduleOf(p: string): string | null {
  const rel = path.relative(MODULES, p);
  if (rel.startsWith('..')) return null;
  return rel.split(path.sep)[0] ?? null;
}

function violations(rule: (from: string, to: string, isTypeOnly: boolean) => boolean): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(SRC))
    for (const { target, isTypeOnly } of importsOf(file))
      if (rule(file, target, isTypeOnly)) out.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
  return out;
}

describe('module boundaries', () => {
  it('messaging/ and settings/ do not import followup/', () => {
    expect(
      violations((from, to) => ['messaging', 'settings'].includes(moduleOf(from) ?? '') && moduleOf(to) === 'followup'),
    ).toEqual([]);
  });

  it('followup/ does not import settings/ (the business calendar and contact policy are in policy/)', () => {
    expect(violations((from, to) => moduleOf(from) === 'followup' && moduleOf(to) === 'settings')).toEqual([]);
  });

  it('policy/ (shared rules) imports none of the modules that use it', () => {
    const users = ['followup', 'messaging', 'settings'];
    expect(violations((from, to) => moduleOf(from) === 'policy' && users.includes(moduleOf(to) ?? ''))).toEqual([]);
  });

  it('plugins/ import no module code (types only): app.ts wires the modules in', () => {
    expect(
      violations(
        (from, to, isTypeOnly) =>
          path.relative(SRC, from).startsWith(`plugins${path.sep}`) && moduleOf(to) !== null && !isTypeOnly,
      ),
    ).toEqual([]);
  });

  it('only lib/time.ts reads a tenant time zone by itself (tenantTimeZone / tenantTimeZones)', () => {
    // Allowed: the one reader; the session row (joins the tenant for /auth/me); survey results (zone inlined in the
    // aggregate SQL itself).
    const allowed = new Set([
      'lib/time.ts',
      'modules/auth/session.repository.ts',
      'modules/surveys/surveys.results.ts',
    ]);
    const readers = sourceFiles(SRC)
      .filter((f) => !f.endsWith('.test.ts') && !allowed.has(path.relative(SRC, f).split(path.sep).join('/')))
      .filter((f) => {
        const src = fs.readFileSync(f, 'utf8');
        return (
          /function\s+tenantTimeZones?\b/.test(src) ||
          /tenants\.timeZone\b/.test(src) ||
          /select[^`]*\btime_zone\b[^`]*\bfrom\s+tenants\b/i.test(src)
        );
      })
      .map((f) => path.relative(SRC, f));
    expect(readers).toEqual([]);
  });

  it('the web app calls fetch only in api/client.ts (one wrapper: error model, 401, CSRF, downloads)', () => {
    const WEB = path.resolve(import.meta.dirname, '../../web/src');
    const callers = sourceFiles(WEB)
      .filter((f) => /\bfetch\(/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(WEB, f).split(path.sep).join('/'));
    expect(callers).toEqual(['api/client.ts']);
  });

  it('the rules above see imports at all (the scan is not empty)', () => {
    expect(violations((from, to) => moduleOf(from) === 'followup' && moduleOf(to) !== null).length).toBeGreaterThan(50);
  });
});

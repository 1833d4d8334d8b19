/**
 * Crash test (`npm run test:resilience`): survey answers posted by impatient clients while the API process and, in
 * separate rounds, the bundled Postgres postmaster are killed with SIGKILL at a random moment. Every client retries
 * (same Idempotency-Key, same body) until it gets an answer, as the answer page and the kiosk's offline queue do.
 * This script plays the supervisor for the API process (as systemd would: start it again at once); a killed
 * postmaster must be restarted by the server itself. Pass = 0 acknowledged answers lost, 0 duplicates, and healthy
 * again within 15 s of every kill, with no human.
 *
 * ROUNDS (default 10 per kind) and PER_ROUND (default 100 concurrent answers) can be set in the environment; with
 * CRASH_REPORT=<file> the four checks' counts are also written there as JSON (for scripts/test.mjs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { freePort } from './pg-cluster.ts';
import { httpLogin, startServerProcess, type TServerProcess } from './server-process.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const PER_ROUND = Number(process.env.PER_ROUND ?? 100);
const HEALTHY_WITHIN_MS = 15_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-crash-'));
const pgPort = await freePort();
const env = {
  DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort), HUIFANG_ADMIN_PASSWORD: 'Admin12345', JOBS: 'true',
  LOG_LEVEL: 'warn', SURVEY_SUBMIT_RATE_PER_MINUTE: '1000000',
};
let server: TServerProcess = await startServerProcess(env);
const baseUrl = server.baseUrl;
const postmasterPid = () => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

// A published survey with an open link.
const admin = await httpLogin(baseUrl, 'admin', 'Admin12345');
const created = await admin.call('POST', '/api/surveys', {
  definition: {
    title: '崩溃测试问卷', description: '', dimensions: [{ key: 'service', name: '服务', weight: 100 }],
    questions: [
      { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
      { key: 'memo', type: 'text', title: '建议', required: false },
    ],
  },
});
if (created.status !== 201) throw new Error(`create survey: ${JSON.stringify(created.json)}`);
await admin.call('POST', `/api/surveys/${created.json.id}/publish`, {});
const token: string = (await admin.call('POST', `/api/surveys/${created.json.id}/open-link`, {})).json.openToken;

interface TSubmission { key: string; answers: { q1: number; memo: string }; responseId: string | null; attempts: number }
const submissions: TSubmission[] = [];

/** One client: post until answered 200/201 (network errors and 503 are retried after a short pause). */
async function deliver(s: TSubmission, until: number): Promise<void> {
  while (Date.now() < until) {
    s.attempts++;
    try {
      const res = await fetch(`${baseUrl}/api/s/${token}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': s.key }, body: JSON.stringify({ answers: s.answers }) });
      const body = (await res.json()) as { responseId?: string; code?: string };
      if (res.status === 200 || res.status === 201) {
        s.responseId = body.responseId!;
        return;
      }
      if (res.status !== 503) throw new Error(`unexpected ${res.status} ${JSON.stringify(body)}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('unexpected')) throw err;
    }
    await sleep(200 + Math.random() * 300);
  }
}

async function waitHealthy(since: number): Promise<number> {
  for (;;) {
    const res = await fetch(`${baseUrl}/api/health`).catch(() => null);
    if (res?.ok) return Date.now() - since;
    if (Date.now() - since > 60_000) return Infinity;
    await sleep(100);
  }
}

const recoveries: { kind: string; round: number; ms: number }[] = [];
const failures: string[] = [];
for (const kind of ['api', 'postmaster'] as const) {
  for (let round = 1; round <= ROUNDS; round++) {
    const batch: TSubmission[] = Array.from({ length: PER_ROUND }, () => ({
      key: `crash-${crypto.randomUUID()}`, answers: { q1: 1 + Math.floor(Math.random() * 5), memo: `第${round}轮 ${kind}` }, responseId: null, attempts: 0,
    }));
    submissions.push(...batch);
    const until = Date.now() + 90_000;
    // The clients arrive over 2 s and the kill lands at a random moment inside that window, so it hits posts in flight.
    const inFlight = Promise.all(batch.map((s) => sleep(Math.random() * 2000).then(() => deliver(s, until))));
    await sleep(200 + Math.random() * 1600);
    const killedAt = Date.now();
    if (kind === 'api') {
      server.proc.kill('SIGKILL');
      await server.waitForExit();
      server = await startServerProcess(env); // the supervisor: start it again at once
    } else {
      process.kill(postmasterPid(), 'SIGKILL');
      await sleep(50);
    }
    const ms = await waitHealthy(killedAt);
    recoveries.push({ kind, round, ms });
    if (ms > HEALTHY_WITHIN_MS) failures.push(`${kind} round ${round}: healthy after ${ms} ms`);
    if (kind === 'postmaster' && server.proc.exitCode !== null) failures.push(`postmaster round ${round}: the API process died`);
    await inFlight;
    const unanswered = batch.filter((s) => !s.responseId).length;
    if (unanswered) failures.push(`${kind} round ${round}: ${unanswered} answers never acknowledged`);
    say(`[crash] ${kind} kill, round ${round}: healthy after ${ms} ms; ${PER_ROUND - unanswered}/${PER_ROUND} acknowledged, ${batch.reduce((n, s) => n + s.attempts, 0)} posts`);
  }
}

// What is stored: every acknowledged answer exactly once, with its answers, and one evaluation each.
const password = fs.readFileSync(path.join(dataDir, '.pg-password'), 'utf8').trim();
const db = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'huifang', password, database: 'huifang' });
await db.connect();
const rows = (await db.query<{ id: string; key: string; q1: number; n_eval: number }>(
  `select r.id, r.idempotency_key as key, (r.answers->>'q1')::int as q1,
          (select count(*)::int from evaluations e where e.tenant_id = r.tenant_id and e.ref_type = 'survey_response' and e.ref_id = r.id) as n_eval
   from survey_responses r where r.survey_id = $1`, [created.json.id])).rows;
await db.end();
const byKey = new Map<string, typeof rows>();
for (const r of rows) byKey.set(r.key.slice(r.key.lastIndexOf(':') + 1), [...(byKey.get(r.key.slice(r.key.lastIndexOf(':') + 1)) ?? []), r]);
let lost = 0;
let duplicates = rows.filter((r) => r.n_eval !== 1).length;
for (const s of submissions) {
  if (!s.responseId) continue;
  const stored = byKey.get(s.key) ?? [];
  if (stored.length > 1) duplicates += stored.length - 1;
  if (!stored.some((r) => r.id === s.responseId && r.q1 === s.answers.q1)) lost++;
}
const acknowledged = submissions.filter((s) => s.responseId).length;
if (lost) failures.push(`${lost} acknowledged answers lost`);
if (duplicates) failures.push(`${duplicates} duplicates`);

server.proc.kill('SIGTERM');
await server.waitForExit();
const worst = (kind: string) => Math.max(...recoveries.filter((r) => r.kind === kind).map((r) => r.ms));
say(JSON.stringify({ submissions: submissions.length, acknowledged, stored: rows.length, lost, duplicates, worstRecoveryMs: { api: worst('api'), postmaster: worst('postmaster') } }));
const checks = 4;
const failedChecks = [failures.some((f) => f.includes('lost')), failures.some((f) => f.includes('duplicates')), failures.some((f) => f.includes('healthy after') || f.includes('died')), failures.some((f) => f.includes('never acknowledged'))].filter(Boolean).length;
say(`${checks - failedChecks} passed, ${failedChecks} failed`);
for (const f of failures) console.error(`[crash] FAIL ${f}`);
// scripts/test.mjs reads the counts from here.
if (process.env.CRASH_REPORT) fs.writeFileSync(process.env.CRASH_REPORT, JSON.stringify({ passed: checks - failedChecks, failed: failedChecks, failures }));
if (failures.length === 0) fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);

/**
 * Crash test (`npm run test:resilience`): open-link survey answers and kiosk key presses posted by impatient clients
 * while the API process and, in separate rounds, the bundled Postgres postmaster are killed with SIGKILL at a random
 * moment. Every client retries (same Idempotency-Key, same body) until it gets an answer, as the answer page and the
 * kiosk's offline queue do. This script plays the supervisor for the API process (as systemd would: start it again
 * at once); a killed postmaster must be restarted by the server itself. Pass = 0 acknowledged submissions lost,
 * 0 duplicates (two rows for one key or one session, or two answers telling one client a row was written), and
 * healthy again within 15 s of every kill, with no human.
 *
 * ROUNDS (default 10 per kind of kill) and PER_ROUND (default 100 concurrent submissions, half survey, half kiosk)
 * can be set in the environment; with CRASH_REPORT=<file> the four checks' counts are also written there as JSON
 * (for scripts/test.mjs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { freePorts } from './pg-cluster.ts';
import { httpLogin, startServerProcess, type TServerProcess } from './server-process.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const PER_ROUND = Number(process.env.PER_ROUND ?? 100);
const HEALTHY_WITHIN_MS = 15_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-crash-'));
const [pgPort, httpPort] = await freePorts(2);
const env = {
  DATA_DIR: dataDir,
  PORT: String(httpPort),
  EMBEDDED_PG_PORT: String(pgPort),
  HUIFANG_ADMIN_PASSWORD: 'Admin12345',
  JOBS: 'true',
  LOG_LEVEL: 'warn',
  SURVEY_SUBMIT_RATE_PER_MINUTE: '1000000',
  KIOSK_RATINGS_PER_MINUTE: '1000000',
};
let server: TServerProcess = await startServerProcess(env);
const baseUrl = server.baseUrl;
const postmasterPid = () => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

// A published survey with an open link.
const admin = await httpLogin(baseUrl, 'admin', 'Admin12345');
const created = await admin.call('POST', '/api/surveys', {
  definition: {
    title: '崩溃测试问卷',
    description: '',
    dimensions: [{ key: 'service', name: '服务', weight: 100 }],
    questions: [
      { key: 'q1', type: 'likert', title: '服务态度', required: true, dimensionKey: 'service' },
      { key: 'memo', type: 'text', title: '建议', required: false },
    ],
  },
});
if (created.status !== 201) throw new Error(`create survey: ${JSON.stringify(created.json)}`);
await admin.call('POST', `/api/surveys/${created.json.id}/publish`, {});
const token: string = (await admin.call('POST', `/api/surveys/${created.json.id}/open-link`, {})).json.openToken;

// A counter with a paired kiosk. Its ended service sessions are written straight into the database before each round
// (test data; starting and ending 1,000 services through the teller's API would take longer than the test itself).
const unit = async (parentId: string, type: string, name: string) => {
  const r = await admin.call('POST', '/api/org-units', { parentId, type, name });
  if (r.status !== 201) throw new Error(`create ${type}: ${JSON.stringify(r.json)}`);
  return r.json.id as string;
};
const outletId = await unit(await unit(admin.me.user.unitId, 'branch', '崩溃测试分行'), 'outlet', '崩溃测试网点');
const counterId = await unit(outletId, 'counter', '1号窗口');
const pairingCode = (await admin.call('POST', '/api/kiosk/pairing-codes', { counterId, deviceName: '崩溃测试评价器' }))
  .json.code;
const paired = await fetch(`${baseUrl}/api/kiosk/pair`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code: pairingCode }),
});
const kioskToken = ((await paired.json()) as { token: string }).token;
const password = fs.readFileSync(path.join(dataDir, '.pg-password'), 'utf8').trim();
const connect = async () => {
  const c = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'huifang', password, database: 'huifang' });
  await c.connect();
  return c;
};
const tenantId = await connect().then(async (c) => {
  const r = await c.query<{ tenant_id: string }>('select tenant_id from users where id = $1', [admin.me.user.id]);
  await c.end();
  return r.rows[0]!.tenant_id;
});
async function endedSessions(n: number): Promise<string[]> {
  const c = await connect();
  const r = await c.query<{ id: string }>(
    `insert into service_sessions (tenant_id, counter_id, outlet_id, staff_id, business_type, started_at, ended_at, handling_seconds)
     select $1, $2, $3, $4, '崩溃测试', now() - interval '2 minutes', now() - interval '1 second', 119 from generate_series(1, $5) returning id`,
    [tenantId, counterId, outletId, admin.me.user.id, n],
  );
  await c.end();
  return r.rows.map((x) => x.id);
}

interface TSubmission {
  kind: 'survey' | 'kiosk';
  key: string;
  /** survey: the answers; kiosk: the press. */
  body:
    { answers: { q1: number; memo: string } } | { sessionId: string; key: number; shownAt: string; pressedAt: string };
  /** What the acknowledging answer named (responseId / evaluationId). */
  storedId: string | null;
  /** How many answers said a row was written (kiosk `replayed: false`): at most one. */
  writtenAnswers: number;
  attempts: number;
}
const submissions: TSubmission[] = [];

/** One client: post until answered 200/201 (network errors and 503 are retried after a short pause). */
async function deliver(s: TSubmission, until: number): Promise<void> {
  const url = s.kind === 'survey' ? `${baseUrl}/api/s/${token}/responses` : `${baseUrl}/api/kiosk/device/ratings`;
  const auth: Record<string, string> = s.kind === 'kiosk' ? { authorization: `Bearer ${kioskToken}` } : {};
  while (Date.now() < until) {
    s.attempts++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': s.key, ...auth },
        body: JSON.stringify(s.body),
      });
      const body = (await res.json()) as {
        responseId?: string;
        evaluationId?: string;
        replayed?: boolean;
        code?: string;
      };
      if (res.status === 200 || res.status === 201) {
        s.storedId = (s.kind === 'survey' ? body.responseId : body.evaluationId) ?? null;
        if (s.kind === 'kiosk' && body.replayed === false) s.writtenAnswers++;
        return;
      }
      if (res.status !== 503) throw new Error(`unexpected ${res.status} ${JSON.stringify(body)}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('unexpected')) throw err;
    }
    // Back off like the kiosk's offline queue (doubling, here capped at 2 s), so retries do not starve the restart.
    await sleep(Math.min(2000, 100 * 2 ** s.attempts) * (0.5 + Math.random()));
  }
}

/**
 * Milliseconds from the kill until health is ok again. After a postmaster kill, a backend that has not yet noticed its
 * postmaster's death may still answer a health check, so recovery also needs a new postmaster (`isRestarted`).
 */
async function waitHealthy(since: number, isRestarted: () => boolean = () => true): Promise<number> {
  for (;;) {
    const res = await fetch(`${baseUrl}/api/health`).catch(() => null);
    if (res?.ok && isRestarted()) return Date.now() - since;
    if (Date.now() - since > 60_000) return Infinity;
    await sleep(100);
  }
}

const recoveries: { kind: string; round: number; ms: number }[] = [];
const failures: string[] = [];
for (const kind of ['api', 'postmaster'] as const) {
  for (let round = 1; round <= ROUNDS; round++) {
    // Half survey answers, half kiosk presses (keys 1–3: the batch writer; key 4 = 不满意: its own transaction).
    const sessions = await endedSessions(PER_ROUND - Math.floor(PER_ROUND / 2));
    const now = Date.now();
    const batch: TSubmission[] = [
      ...Array.from({ length: Math.floor(PER_ROUND / 2) }, (): TSubmission => ({
        kind: 'survey',
        key: `crash-${crypto.randomUUID()}`,
        body: { answers: { q1: 1 + Math.floor(Math.random() * 5), memo: `第${round}轮 ${kind}` } },
        storedId: null,
        writtenAnswers: 0,
        attempts: 0,
      })),
      ...sessions.map((sessionId): TSubmission => ({
        kind: 'kiosk',
        key: `crash-${crypto.randomUUID()}`,
        body: {
          sessionId,
          key: 1 + Math.floor(Math.random() * 4),
          shownAt: new Date(now - 1000).toISOString(),
          pressedAt: new Date(now).toISOString(),
        },
        storedId: null,
        writtenAnswers: 0,
        attempts: 0,
      })),
    ];
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
    }
    let isRestarted = () => true;
    if (kind === 'postmaster') {
      const oldPid = postmasterPid();
      process.kill(oldPid, 'SIGKILL');
      isRestarted = () => {
        try {
          return postmasterPid() !== oldPid;
        } catch {
          return false; // no pid file: not up yet
        }
      };
    }
    const ms = await waitHealthy(killedAt, isRestarted);
    recoveries.push({ kind, round, ms });
    if (ms > HEALTHY_WITHIN_MS) failures.push(`${kind} round ${round}: healthy after ${ms} ms`);
    if (kind === 'postmaster' && server.proc.exitCode !== null)
      failures.push(`postmaster round ${round}: the API process died`);
    await inFlight;
    const unanswered = batch.filter((s) => !s.storedId).length;
    if (unanswered) failures.push(`${kind} round ${round}: ${unanswered} answers never acknowledged`);
    say(
      `[crash] ${kind} kill, round ${round}: healthy after ${ms} ms; ${PER_ROUND - unanswered}/${PER_ROUND} acknowledged, ${batch.reduce((n, s) => n + s.attempts, 0)} posts`,
    );
  }
}

// What is stored: every acknowledged answer exactly once, with what was sent, and (surveys) one evaluation each.
const db = await connect();
const responses = (
  await db.query<{ id: string; key: string; q1: number; n_eval: number }>(
    `select r.id, r.idempotency_key as key, (r.answers->>'q1')::int as q1,
          (select count(*)::int from evaluations e where e.tenant_id = r.tenant_id and e.ref_type = 'survey_response' and e.ref_id = r.id) as n_eval
   from survey_responses r where r.survey_id = $1`,
    [created.json.id],
  )
).rows;
const presses = (
  await db.query<{ id: string; key: string; session_id: string; key_no: number }>(
    `select id, answers->>'clientKey' as key, ref_id as session_id, (answers->>'key')::int as key_no
   from evaluations where tenant_id = $1 and channel = 'kiosk' and counter_id = $2 and score is not null`,
    [tenantId, counterId],
  )
).rows;
const perSession = (
  await db.query<{ n: number }>(
    `select count(*)::int as n from evaluations where tenant_id = $1 and counter_id = $2 group by ref_id having count(*) > 1`,
    [tenantId, counterId],
  )
).rows;
await db.end();
const storedByKey = new Map<string, { id: string; matches: (s: TSubmission) => boolean }[]>();
const add = (key: string, row: { id: string; matches: (s: TSubmission) => boolean }) =>
  storedByKey.set(key, [...(storedByKey.get(key) ?? []), row]);
for (const r of responses)
  add(r.key.slice(r.key.lastIndexOf(':') + 1), {
    id: r.id,
    matches: (s) => 'answers' in s.body && s.body.answers.q1 === r.q1,
  });
for (const r of presses)
  add(r.key, {
    id: r.id,
    matches: (s) => 'sessionId' in s.body && s.body.sessionId === r.session_id && s.body.key === r.key_no,
  });
let lost = 0;
let duplicates = responses.filter((r) => r.n_eval !== 1).length + perSession.length;
for (const s of submissions) {
  const stored = storedByKey.get(s.key) ?? [];
  if (stored.length > 1) duplicates += stored.length - 1;
  if (s.writtenAnswers > 1) duplicates += s.writtenAnswers - 1; // a client told twice that a row was written
  if (s.storedId && !stored.some((r) => r.id === s.storedId && r.matches(s))) lost++;
}
const acknowledged = submissions.filter((s) => s.storedId).length;
if (lost) failures.push(`${lost} acknowledged answers lost`);
if (duplicates) failures.push(`${duplicates} duplicates`);

server.proc.kill('SIGTERM');
await server.waitForExit();
const worst = (kind: string) => Math.max(...recoveries.filter((r) => r.kind === kind).map((r) => r.ms));
say(
  JSON.stringify({
    submissions: submissions.length,
    acknowledged,
    stored: responses.length + presses.length,
    lost,
    duplicates,
    worstRecoveryMs: { api: worst('api'), postmaster: worst('postmaster') },
  }),
);
const checks = 4;
const failedChecks = [
  failures.some((f) => f.includes('lost')),
  failures.some((f) => f.includes('duplicates')),
  failures.some((f) => f.includes('healthy after') || f.includes('died')),
  failures.some((f) => f.includes('never acknowledged')),
].filter(Boolean).length;
say(`${checks - failedChecks} passed, ${failedChecks} failed`);
for (const f of failures) console.error(`[crash] FAIL ${f}`);
// scripts/test.mjs reads the counts from here.
if (process.env.CRASH_REPORT)
  fs.writeFileSync(
    process.env.CRASH_REPORT,
    JSON.stringify({ passed: checks - failedChecks, failed: failedChecks, failures }),
  );
if (failures.length === 0) fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);

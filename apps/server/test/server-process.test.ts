import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort, freePorts } from './pg-cluster.ts';
import { httpLogin, startServerProcess, type TServerProcess } from './server-process.ts';

const running: TServerProcess[] = [];
afterAll(async () => {
  for (const s of running) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
});

function postmasterPid(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bundled Postgres (DATABASE_URL unset)', () => {
  it('survives kill -9 of the server, with or without the orphaned postmaster, and loses no data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-proc-'));
    const [httpPort, pgPort] = await freePorts(2);
    const env = {
      DATA_DIR: dataDir,
      PORT: String(httpPort),
      EMBEDDED_PG_PORT: String(pgPort),
      HUIFANG_ADMIN_PASSWORD: 'Admin12345',
      JOBS: 'true',
    };

    const first = await startServerProcess(env);
    running.push(first);
    const admin = await httpLogin(first.baseUrl, 'admin', 'Admin12345');
    const created = await admin.call('POST', '/api/org-units', {
      parentId: admin.me.user.unitId,
      type: 'branch',
      name: '崩溃前创建的分行',
    });
    expect(created.status).toBe(201);
    // No secrets in logs: neither the password nor the session cookie appears in anything the server printed.
    expect(first.output()).not.toContain('Admin12345');
    expect(first.output()).not.toContain('hf_sid=');

    // 1) kill -9 the app: its postmaster child keeps running, orphaned, holding postmaster.pid.
    first.proc.kill('SIGKILL');
    await first.waitForExit();
    const orphan = postmasterPid(dataDir);
    expect(orphan && isAlive(orphan)).toBeTruthy();

    const second = await startServerProcess(env);
    running.push(second);
    expect(second.output()).toContain('still running');
    let tree = await (await httpLogin(second.baseUrl, 'admin', 'Admin12345')).call('GET', '/api/org-units/tree');
    expect(tree.json.items.map((u: { name: string }) => u.name)).toContain('崩溃前创建的分行');

    // 2) kill -9 both the app and Postgres: a stale postmaster.pid is left behind and must be cleaned.
    const pgPid = postmasterPid(dataDir)!;
    second.proc.kill('SIGKILL');
    process.kill(pgPid, 'SIGKILL');
    await second.waitForExit();
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);

    const third = await startServerProcess(env);
    running.push(third);
    tree = await (await httpLogin(third.baseUrl, 'admin', 'Admin12345')).call('GET', '/api/org-units/tree');
    expect(tree.json.items.map((u: { name: string }) => u.name)).toContain('崩溃前创建的分行');

    // 3) a clean stop (SIGTERM) stops the bundled Postgres too.
    const lastPg = postmasterPid(dataDir)!;
    third.proc.kill('SIGTERM');
    expect(await third.waitForExit()).toBe(0);
    expect(isAlive(lastPg)).toBe(false);
  }, 240_000);
});

describe('external Postgres (DATABASE_URL set)', () => {
  it('migrates an empty database at start, creates admin with a one-time printed password, and reuses it after restart', async () => {
    const adminUrl = inject('pgAdminUrl');
    const name = `ext_${Date.now()}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const env = {
      DATABASE_URL: adminUrl.replace(/\/postgres$/, `/${name}`),
      PORT: String(await freePort()),
      JOBS: 'true',
    };

    const first = await startServerProcess(env);
    running.push(first);
    const m = first.output().match(/created user admin with password (\S+)/);
    expect(m, first.output()).not.toBeNull();
    const admin = await httpLogin(first.baseUrl, 'admin', m![1]!);
    // A password that was printed in a log must be changed at first login.
    expect(admin.me.user.mustChangePassword).toBe(true);
    first.proc.kill('SIGTERM');
    await first.waitForExit();

    const second = await startServerProcess(env);
    running.push(second);
    expect(second.output()).not.toMatch(/created user admin/);
    await httpLogin(second.baseUrl, 'admin', m![1]!);
    second.proc.kill('SIGTERM');
    await second.waitForExit();
  }, 120_000);
});

describe('database outages while serving (issue 11, defect 1)', () => {
  it('pg_terminate_backend on every connection during traffic: requests fail with 503 DB_UNAVAILABLE, the process lives on and serves again', async () => {
    const adminUrl = inject('pgAdminUrl');
    const name = `kill_${Date.now()}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    const server = await startServerProcess({
      DATABASE_URL: adminUrl.replace(/\/postgres$/, `/${name}`),
      PORT: String(await freePort()),
      HUIFANG_ADMIN_PASSWORD: 'Admin12345',
      JOBS: 'true',
    });
    running.push(server);
    const admin = await httpLogin(server.baseUrl, 'admin', 'Admin12345');

    // Writes in transactions (org unit + audit row), 8 at a time, while every backend of the app is killed 5 times.
    const statuses: { status: number; code?: string }[] = [];
    let isTraffic = true;
    let seq = 0;
    const worker = async () => {
      while (isTraffic) {
        const r = await admin
          .call('POST', '/api/org-units', { parentId: admin.me.user.unitId, type: 'branch', name: `并发分行${seq++}` })
          .catch(() => ({ status: 0, json: {} as any }));
        statuses.push({ status: r.status, code: r.json?.code });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await c.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    isTraffic = false;
    await Promise.all(workers);
    await c.end();

    expect(server.proc.exitCode, server.output().slice(-3000)).toBeNull();
    expect(statuses.filter((s) => s.status === 201).length).toBeGreaterThan(0);
    const failed = statuses.filter((s) => s.status !== 201);
    expect(failed.length, 'some requests were in flight when their connection was killed').toBeGreaterThan(0);
    // Every failure is the clear 503, never a 500 or a dropped connection.
    expect(
      failed.every((s) => s.status === 503 && s.code === 'DB_UNAVAILABLE'),
      JSON.stringify(failed.slice(0, 5)),
    ).toBe(true);
    // And the next requests are served without a restart (the session survived too).
    expect((await fetch(`${server.baseUrl}/api/health`)).status).toBe(200);
    expect(
      (
        await admin.call('POST', '/api/org-units', {
          parentId: admin.me.user.unitId,
          type: 'branch',
          name: '恢复后创建的分行',
        })
      ).status,
    ).toBe(201);
    server.proc.kill('SIGTERM');
    await server.waitForExit();
  }, 120_000);

  it('bundled Postgres: a postmaster killed with -9 is restarted by the server; health says degraded, then ok; nothing committed is lost', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-pmkill-'));
    const [httpPort, pgPort] = await freePorts(2);
    const env = {
      DATA_DIR: dataDir,
      PORT: String(httpPort),
      EMBEDDED_PG_PORT: String(pgPort),
      HUIFANG_ADMIN_PASSWORD: 'Admin12345',
      JOBS: 'true',
    };
    const server = await startServerProcess(env);
    running.push(server);
    const admin = await httpLogin(server.baseUrl, 'admin', 'Admin12345');
    expect(
      (
        await admin.call('POST', '/api/org-units', {
          parentId: admin.me.user.unitId,
          type: 'branch',
          name: '宕机前创建的分行',
        })
      ).status,
    ).toBe(201);

    const oldPid = postmasterPid(dataDir)!;
    process.kill(oldPid, 'SIGKILL');
    const health: string[] = [];
    const killedAt = Date.now();
    for (;;) {
      const res = await fetch(`${server.baseUrl}/api/health`).catch(() => null);
      const status = res ? ((await res.json()) as { status: string }).status : 'no answer';
      if (health.at(-1) !== status) health.push(status);
      // A backend that has not yet noticed its postmaster's death may still answer one health check: the outage is
      // over only once a new postmaster runs.
      const pid = postmasterPid(dataDir);
      if (status === 'ok' && pid !== null && pid !== oldPid) break;
      if (Date.now() - killedAt > 15_000)
        throw new Error(
          `not healthy 15 s after the postmaster died: ${health.join(' → ')}\n${server.output().slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(health.slice(-2)).toEqual(['degraded', 'ok']);
    expect(health.filter((h) => h !== 'ok' && h !== 'degraded')).toEqual([]);
    expect(server.proc.exitCode).toBeNull();
    expect(server.output()).toContain('bundled Postgres exited unexpectedly');
    const newPid = postmasterPid(dataDir)!;
    expect(newPid).not.toBe(oldPid);
    expect(isAlive(newPid)).toBe(true);
    // Same session, same data.
    const tree = await admin.call('GET', '/api/org-units/tree');
    expect(tree.json.items.map((u: { name: string }) => u.name)).toContain('宕机前创建的分行');

    server.proc.kill('SIGTERM');
    expect(await server.waitForExit()).toBe(0);
    expect(isAlive(newPid)).toBe(false);
    // A clean stop is not mistaken for a crash: no restart, no Postgres left behind.
    expect(server.output().match(/exited unexpectedly/g)).toHaveLength(1);
    expect(postmasterPid(dataDir)).toBeNull();
  }, 120_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from './pg-cluster.ts';
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
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), HUIFANG_ADMIN_PASSWORD: 'Admin12345', JOBS: 'true' };

    const first = await startServerProcess(env);
    running.push(first);
    const admin = await httpLogin(first.baseUrl, 'admin', 'Admin12345');
    const created = await admin.call('POST', '/api/org-units', { parentId: admin.me.user.unitId, type: 'branch', name: '崩溃前创建的分行' });
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
    const env = { DATABASE_URL: adminUrl.replace(/\/postgres$/, `/${name}`), PORT: String(await freePort()), JOBS: 'true' };

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

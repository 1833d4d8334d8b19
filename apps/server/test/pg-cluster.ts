import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway cluster of Debian's PostgreSQL (the "external database" of the tests), started by the test setup
 * on a free loopback port with its data in a temp dir. As root it runs as the `postgres` user.
 */
export interface TPgCluster {
  url: (database: string) => string;
  stop(): Promise<void>;
}

export function findPgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** n distinct free ports: every socket stays open until all are chosen, so two calls in a row cannot get the same port back. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      srv.unref();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '0.0.0.0', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

const isRoot = () => process.getuid?.() === 0;
const asPg = (cmd: string, args: string[]): [string, string[]] =>
  isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

export async function startPgCluster(): Promise<TPgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error("Debian's PostgreSQL is missing. Run: apt-get update && apt-get install -y postgresql");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huifang-pg-'));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [c1, a1] = asPg(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  execFileSync(c1, a1, { stdio: 'ignore' });
  const port = await freePort();
  const [c2, a2] = asPg(path.join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
  ]);
  const proc: ChildProcess = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start: ${out}`)), 30_000);
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => reject(new Error(`postgres exited with ${code}: ${out}`)));
  });
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        // runuser ignores SIGINT (su blocks it in the watching parent), so signal the postmaster itself: fast shutdown.
        let pid = proc.pid!;
        try {
          pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || pid;
        } catch {
          // no pid file: the postmaster is already gone or never wrote it
        }
        process.kill(pid, 'SIGINT');
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

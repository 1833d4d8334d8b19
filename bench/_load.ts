import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface TLoadResult {
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TLoadOpts {
  /** One port, or several server processes (worker w talks to ports[w % n]). */
  port: number | number[];
  concurrency: number;
  seconds: number;
  makeRequest: (i: number) => { path: string; headers: Record<string, string>; body: string };
  expectStatus: number[];
}

/**
 * Closed-loop HTTP load: `concurrency` workers on keep-alive sockets, each sending its next request as soon as the
 * previous answers, for `seconds`. `makeRequest(i)` returns the path, headers and body of request number i.
 * Latency is measured per request (send → full response).
 */
export async function runLoad(opts: TLoadOpts): Promise<TLoadResult> {
  return summarize([await loadSlice(opts)]);
}

interface TSlice {
  lat: number[];
  ok: number;
  errors: number;
  seconds: number;
}

async function loadSlice(opts: TLoadOpts, keptAgent?: http.Agent): Promise<TSlice> {
  const ports = [opts.port].flat();
  const agent = keptAgent ?? new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const lat: number[] = [];
  let seq = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + opts.seconds * 1000;
  const one = (port: number) =>
    new Promise<void>((resolve) => {
      const r = opts.makeRequest(seq++);
      const t0 = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: r.path,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body), ...r.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            lat.push(performance.now() - t0);
            if (opts.expectStatus.includes(res.statusCode ?? 0)) ok++;
            else {
              errors++;
              firstError ??= `${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        errors++;
        firstError ??= e.message;
        resolve();
      });
      req.end(r.body);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, w) => {
      const port = ports[w % ports.length]!;
      while (performance.now() < deadline) await one(port);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  if (!keptAgent) agent.destroy();
  if (firstError) console.error(`first error: ${firstError}`);
  return { lat, ok, errors, seconds };
}

function summarize(slices: TSlice[]): TLoadResult {
  const lat = slices.flatMap((s) => s.lat);
  const ok = slices.reduce((n, s) => n + s.ok, 0);
  const errors = slices.reduce((n, s) => n + s.errors, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  lat.sort((a, b) => a - b);
  // Nearest rank (as timeIt in _support.ts): the ⌈p·n⌉-th smallest.
  const pct = (p: number) => Number((lat[Math.max(0, Math.ceil(p * lat.length) - 1)] ?? 0).toFixed(2));
  return {
    requests: lat.length,
    ok,
    errors,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(ok / seconds),
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    max: pct(1),
  };
}

/**
 * Two (or more) servers measured in alternating one-second slices, `seconds` slices each, so that the machine's
 * other load (2 cores shared with neighbours) falls on all of them alike and their ratio means something. Request
 * numbers go on across slices. With `cpu`, each server's CPU per request (its own process, Postgres, this load
 * generator) is summed over its slices.
 */
export async function runInterleaved<K extends string>(
  runs: Record<K, Omit<TLoadOpts, 'seconds'> & { cpu?: { serverPids: number[]; pgDataDir: string } }>,
  seconds: number,
  sliceSeconds = 1,
): Promise<Record<K, TLoadResult & { cpuMsPerRequest?: TCpuPerRequest; coresUsed?: TCoresUsed }>> {
  const keys = Object.keys(runs) as K[];
  const slices = new Map<K, TSlice[]>(keys.map((k) => [k, []]));
  const cpuTotals = new Map<K, TCpuPerRequest>(
    keys.map((k) => [k, { server: 0, postgres: 0, loadGenerator: 0, total: 0 }]),
  );
  // The server's main thread (its event loop) alone: the one part of the path that cannot use a second core.
  const mainThreadMs = new Map<K, number>(keys.map((k) => [k, 0]));
  // The whole machine's busy CPU during each party's slices (/proc/stat, every process: the neighbours' too).
  const machineBusyMs = new Map<K, number>(keys.map((k) => [k, 0]));
  const seq = new Map<K, number>(keys.map((k) => [k, 0]));
  // One keep-alive agent per server for all its slices: no reconnects at each slice.
  const agents = new Map(keys.map((k) => [k, new http.Agent({ keepAlive: true, maxSockets: runs[k].concurrency })]));
  for (let round = 0; round < Math.max(1, Math.round(seconds / sliceSeconds)); round++) {
    for (const k of round % 2 === 0 ? keys : [...keys].reverse()) {
      const r = runs[k];
      const meter = r.cpu ? cpuMeter(r.cpu) : null;
      const machine0 = machineCpuMs();
      const main0 = (r.cpu?.serverPids ?? []).reduce((n, p) => n + threadCpuMs(p), 0);
      const base = seq.get(k)!;
      let n = 0;
      const slice = await loadSlice(
        {
          ...r,
          seconds: sliceSeconds,
          makeRequest: (i) => {
            n = i + 1;
            return r.makeRequest(base + i);
          },
        },
        agents.get(k),
      );
      seq.set(k, base + n);
      slices.get(k)!.push(slice);
      const machine1 = machineCpuMs();
      machineBusyMs.set(k, machineBusyMs.get(k)! + (machine1.busy - machine0.busy));
      const main1 = (r.cpu?.serverPids ?? []).reduce((n, p) => n + threadCpuMs(p), 0);
      mainThreadMs.set(k, mainThreadMs.get(k)! + (main1 - main0));
      if (meter) {
        const used = meter.used();
        const t = cpuTotals.get(k)!;
        t.server += used.server;
        t.postgres += used.postgres;
        t.loadGenerator += used.loadGenerator;
      }
    }
  }
  for (const a of agents.values()) a.destroy();
  const out = {} as Record<K, TLoadResult & { cpuMsPerRequest?: TCpuPerRequest; coresUsed?: TCoresUsed }>;
  for (const k of keys) {
    const res = summarize(slices.get(k)!);
    const t = cpuTotals.get(k)!;
    const per = (v: number) => Number((v / Math.max(1, res.requests)).toFixed(3));
    const cores = (ms: number) => Number((ms / (res.seconds * 1000)).toFixed(2));
    out[k] = runs[k].cpu
      ? {
          ...res,
          cpuMsPerRequest: {
            server: per(t.server),
            postgres: per(t.postgres),
            loadGenerator: per(t.loadGenerator),
            total: per(t.server + t.postgres + t.loadGenerator),
          },
          coresUsed: {
            server: cores(t.server),
            serverMainThread: cores(mainThreadMs.get(k)!),
            postgres: cores(t.postgres),
            loadGenerator: cores(t.loadGenerator),
            parties: cores(t.server + t.postgres + t.loadGenerator),
            machine: cores(machineBusyMs.get(k)!),
            of: os.cpus().length,
          },
        }
      : res;
  }
  return out;
}

/**
 * Cores kept busy during a party's slices (CPU ms / wall ms): by each party of the run and by the whole machine
 * (`machine`, from /proc/stat: the neighbours included). Where `parties` stays below `of` while the CPU per request
 * is at the bare route's, the path leaves CPU idle (waits on something: a commit, a timer, a lock).
 */
export interface TCoresUsed {
  server: number;
  /** of `server`: its main thread (per process, summed), at most 1 per process */
  serverMainThread: number;
  postgres: number;
  loadGenerator: number;
  parties: number;
  machine: number;
  of: number;
}

/** CPU ms of a process' main thread (the event loop of a Node process), from /proc/<pid>/task/<pid>/stat. */
function threadCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The machine's busy CPU in ms since boot (/proc/stat: all but idle and iowait). */
function machineCpuMs(): { busy: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as number[];
  return { busy: ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLK_TCK };
}

export interface TCpuPerRequest {
  server: number;
  postgres: number;
  loadGenerator: number;
  total: number;
}

/** user + system CPU of a process in ms from /proc/<pid>/stat; with `reaped`, also that of its exited children. */
export function procCpuMs(pid: number, reaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: utime is field 14, cutime 16.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0);
    return (ticks * 1000) / CLK_TCK;
  } catch {
    return 0; // exited
  }
}
const cpuOfThisProcess = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const CLK_TCK = 100; // USER_HZ, 100 on Linux x86/arm (`getconf CLK_TCK`)

/** The postmaster of a data dir and all its backends: live ones plus those that exited (reaped by the postmaster). */
function postgresCpuMs(pgDataDir: string): number {
  const postmaster = Number(fs.readFileSync(path.join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let ms = procCpuMs(postmaster, true);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) ms += procCpuMs(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/**
 * CPU spent per request by each party of a run — the server process(es), Postgres and this load generator — in ms.
 * On a shared, busy 2-core machine throughput swings with the neighbours' load; CPU per request does not, and where
 * every party competes for the same cores it is what bounds throughput.
 */
export function cpuMeter(opts: { serverPids: number[]; pgDataDir: string }) {
  const read = () => ({
    server: opts.serverPids.reduce((s, p) => s + procCpuMs(p), 0),
    postgres: postgresCpuMs(opts.pgDataDir),
    loadGenerator: cpuOfThisProcess(),
  });
  const t0 = read();
  return {
    /** CPU ms used by each party since the meter was made. */
    used() {
      const t1 = read();
      return {
        server: t1.server - t0.server,
        postgres: t1.postgres - t0.postgres,
        loadGenerator: t1.loadGenerator - t0.loadGenerator,
      };
    },
    perRequest(requests: number): TCpuPerRequest {
      const t1 = read();
      const per = (k: keyof typeof t0) => Number(((t1[k] - t0[k]) / Math.max(1, requests)).toFixed(3));
      const r = { server: per('server'), postgres: per('postgres'), loadGenerator: per('loadGenerator') };
      return { ...r, total: Number((r.server + r.postgres + r.loadGenerator).toFixed(3)) };
    },
  };
}

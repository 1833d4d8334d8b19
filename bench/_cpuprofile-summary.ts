/**
 * Summarise a V8 .cpuprofile (from BENCH_CPU_PROF=1, see _cpu-prof.ts): self time by function and by file/package,
 * and inclusive time by package and by app file, as % of the busy (non-idle) time from 2 s after the first HTTP
 * request (server start-up, module loading, tsx compilation and the warm-up are left out).
 *   npx tsx bench/_cpuprofile-summary.ts <file.cpuprofile> [top=25] [--callers=<function name>] [--skip-seconds=2]
 */
import fs from 'node:fs';

interface TNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = process.argv[2];
const top = Number(process.argv.slice(3).find((a) => /^\d+$/.test(a)) ?? 25);
if (!file) throw new Error('usage: _cpuprofile-summary.ts <file.cpuprofile> [top]');
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: TNode[]; samples: number[]; timeDeltas: number[] };

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** "pkg:fastify", "app:modules/kiosk/kiosk.service.ts", "node:internal/…", or the V8 pseudo-frame. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return `pkg:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const src = url.indexOf('/apps/server/src/');
  if (src >= 0) return `app:${url.slice(src + 17)}`;
  const sh = url.indexOf('/packages/shared/src/');
  if (sh >= 0) return `shared:${url.slice(sh + 21)}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^file:\/\//, '');
}
const shortUrl = (url: string) =>
  url.includes('/node_modules/')
    ? url.slice(url.lastIndexOf('/node_modules/') + 14)
    : url.replace(/^.*\/(apps|packages|bench)\//, '$1/');
const fnKey = (n: TNode) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const stackOf = (id: number) => {
  const s: TNode[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) s.push(byId.get(cur)!);
  return s;
};

// Start --skip-seconds (default 2: the benches' warm-up) after the first sample that is inside an HTTP request.
const skipUs = 1e6 * Number(process.argv.find((a) => a.startsWith('--skip-seconds='))?.slice(15) ?? 2);
let start = prof.samples.findIndex((id) => stackOf(id).some((n) => n.callFrame.url === 'node:_http_server'));
if (start < 0) start = 0;
for (let t = 0; start < prof.samples.length && t < skipUs; start++) t += prof.timeDeltas[start + 1] ?? 0;
const selfFn = new Map<string, number>();
const selfArea = new Map<string, number>();
const inclArea = new Map<string, number>();
const inclFn = new Map<string, number>();
/** --callers=<function name>: the call paths (5 frames) that lead to that function, by self time. */
const callersOf = process.argv.find((a) => a.startsWith('--callers='))?.slice(10);
const callers = new Map<string, number>();
let busy = 0;
let idle = 0;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
for (let i = start; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  const leaf = byId.get(prof.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  busy += dt;
  add(selfFn, fnKey(leaf), dt);
  add(selfArea, area(leaf.callFrame.url, leaf.callFrame.functionName), dt);
  const stack = stackOf(leaf.id);
  if (callersOf && leaf.callFrame.functionName === callersOf)
    add(
      callers,
      stack
        .slice(1, Number(process.env.CALLER_DEPTH ?? 5) + 1)
        .map(fnKey)
        .join('\n        <- '),
      dt,
    );
  const seenFn = new Set<string>();
  for (const n of stack) {
    const k = fnKey(n);
    if (!seenFn.has(k)) {
      seenFn.add(k);
      add(inclFn, k, dt);
    }
  }
  const seen = new Set<string>();
  for (const n of stack) {
    const a = area(n.callFrame.url, n.callFrame.functionName);
    if (!seen.has(a)) {
      seen.add(a);
      add(inclArea, a, dt);
    }
  }
}
const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n## ${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
};
console.log(`${file}\nbusy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (after the skipped start)`);
print('self time by function', selfFn);
print('self time by file / package', selfArea);
print('inclusive time by file / package (a sample counts once per area on its stack)', inclArea);
print('inclusive time by function', inclFn);
if (callersOf) print(`callers of ${callersOf}`, callers);

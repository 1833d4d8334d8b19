import http from 'node:http';

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

/**
 * Closed-loop HTTP load: `concurrency` workers on keep-alive sockets, each sending its next request as soon as the
 * previous answers, for `seconds`. `makeRequest(i)` returns the path, headers and body of request number i.
 * Latency is measured per request (send → full response).
 */
export async function runLoad(opts: {
  /** One port, or several server processes (worker w talks to ports[w % n]). */
  port: number | number[];
  concurrency: number;
  seconds: number;
  makeRequest: (i: number) => { path: string; headers: Record<string, string>; body: string };
  expectStatus: number[];
}): Promise<TLoadResult> {
  const ports = [opts.port].flat();
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
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
  agent.destroy();
  if (firstError) console.error(`first error: ${firstError}`);
  lat.sort((a, b) => a - b);
  const pct = (p: number) => Number((lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(2));
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

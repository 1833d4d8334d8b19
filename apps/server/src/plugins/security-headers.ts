import type { IncomingMessage, ServerResponse } from 'node:http';

type TMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The headers a header-only middleware (helmet) sets, worked out once: helmet's headers depend only on its options,
 * so running its chain of a dozen middlewares on every request (measured at ~4 % of the kiosk ingestion route's CPU,
 * bench/README.md) is replaced by setting the same name/value pairs. Throws if the middleware does anything else
 * (reads the request, answers, or calls back later), so a future option that depends on the request cannot be
 * frozen by mistake.
 */
export function precomputeHeaders(middleware: TMiddleware): (res: ServerResponse) => void {
  const set = new Map<string, string | number | readonly string[]>();
  const removed: string[] = [];
  let isDone = false;
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      set.set(name, value);
      return res;
    },
    removeHeader: (name: string) => {
      set.delete(name);
      removed.push(name);
    },
  };
  const req = new Proxy(
    {},
    {
      get: (_t, p) => {
        throw new Error(`precomputeHeaders: the middleware reads req.${String(p)}; its headers are not static`);
      },
    },
  );
  middleware(req as IncomingMessage, res as unknown as ServerResponse, (err) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    isDone = true;
  });
  if (!isDone) throw new Error('precomputeHeaders: the middleware did not call next() synchronously');
  const pairs = [...set];
  return (out) => {
    for (const name of removed) out.removeHeader(name);
    for (const [name, value] of pairs) out.setHeader(name, value);
  };
}

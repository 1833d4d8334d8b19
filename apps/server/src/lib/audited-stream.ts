import { PassThrough, type Readable, type Writable } from 'node:stream';

/**
 * A download that is audited before it completes: `produce` writes the file into `sink` and ends it; the response
 * stream ends only after `audit()` has committed its row. So a client that received the whole file is always
 * in the audit log (and a test or a user looking right after the download finds the row).
 */
export function streamThenAudit(produce: (sink: Writable) => Promise<void>, audit: () => Promise<void>): Readable {
  const out = new PassThrough();
  const sink = new PassThrough();
  sink.pipe(out, { end: false });
  const drained = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  (async () => {
    await produce(sink);
    await drained;
    await audit();
    out.end();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

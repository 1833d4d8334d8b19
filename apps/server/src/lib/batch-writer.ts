/**
 * Group many small writes into one statement (application-side group commit). Each caller awaits its own result;
 * items that arrive while a batch is being written wait for the next one, so under load batches grow by themselves
 * and at low load an item is written at once (no timer, no added latency). Used on ingestion hot paths where one
 * round trip and one commit per request would bound throughput (bench/evaluations-ingest.ts).
 *
 * `flush(items)` must return one result per item, in order, and must be all-or-nothing: if it throws, every caller
 * of that batch gets the error.
 */
export function createBatchWriter<TIn, TOut>(opts: {
  flush: (items: TIn[]) => Promise<TOut[]>;
  maxBatch?: number;
  maxInFlight?: number;
}) {
  const maxBatch = opts.maxBatch ?? 100;
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: { item: TIn; resolve: (v: TOut) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;
  let scheduled = false;

  const pump = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      // When a batch is done, the next one (the items that queued meanwhile) is sent BEFORE its callers resume:
      // resuming them writes their responses (tens of µs each on the event loop), and the database would sit idle
      // for all of that — on a 2-core box that idle time, not CPU, was the gap to a bare route (bench/README.md).
      const done = () => {
        inFlight--;
        if (queue.length > 0) pump();
      };
      opts.flush(batch.map((b) => b.item)).then(
        (results) => {
          done();
          if (results.length !== batch.length) {
            const e = new Error(`batch writer: ${results.length} results for ${batch.length} items`);
            batch.forEach((b) => b.reject(e));
          } else batch.forEach((b, i) => b.resolve(results[i]!));
        },
        (e: unknown) => {
          done();
          batch.forEach((b) => b.reject(e));
        },
      );
    }
  };

  return {
    write(item: TIn): Promise<TOut> {
      return new Promise<TOut>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Let the requests of this event-loop turn join the batch, then write.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
  };
}

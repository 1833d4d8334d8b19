/**
 * Run `fn` over the items with at most `limit` calls in flight, in item order of starting. Resolves when all have
 * settled; the first rejection is rethrown after the others have finished (none is left running behind the caller).
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}

/**
 * How many reads one request runs at once (its other reads wait for a lane). Four rollup reads at once on the 2-core
 * bench box made one of them come back 60–80 ms late in about one request of fifteen, with Postgres done in 15 ms
 * and the event loop free (员工绩效 for HQ this month: p95 99–107 ms in four lanes, 69–73 in two, p50 the same;
 * bench/README.md 2026-12-06). Two lanes also leave the pool to other requests.
 */
export const REQUEST_READ_LANES = 2;

/** Promise.all over thunks with at most `limit` running; results in the order of the thunks. */
export async function allConcurrent<T extends readonly (() => Promise<unknown>)[]>(
  limit: number,
  tasks: T,
): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = new Array(tasks.length);
  await forEachConcurrent(
    tasks.map((task, i) => ({ task, i })),
    limit,
    async ({ task, i }) => {
      out[i] = await task();
    },
  );
  return out as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

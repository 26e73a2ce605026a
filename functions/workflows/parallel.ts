/**
 * @module workflows/parallel
 * Bounded concurrency for independent I/O (claims, sends, imports): a few in flight instead of one
 * at a time or all at once.
 */

/**
 * Runs `task` over `items`, at most `limit` at a time; results in the items' order. The first
 * error stops new tasks from starting, and is thrown only once the running ones have finished:
 * a run that fails leaves no send or write of its own still going behind it.
 */
export async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      const item = items[index] as T;
      try {
        results[index] = await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

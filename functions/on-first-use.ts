/**
 * @module on-first-use
 * `load()` once, when first asked: the same promise to every caller, unless it failed, in which case
 * the next call tries again. What a Lambda's cold start leaves for later goes through this: the
 * domain's schema modules (store/domain-modules), the SNS subscription client
 * (notify/station-subscriptions), lazily mounted routes (http/lazy-routes).
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/**
 * A synchronous `headers` function for `httpLink` / `httpBatchLink` that sends
 * `Authorization: Bearer <token>` when `getToken` returns one. Synchronous on purpose: it reads
 * the store at send time, never awaits, so it cannot leave a batch pending.
 *
 * @example
 * ```ts
 * httpBatchLink({ url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) });
 * ```
 */
export function bearerHeaders(getToken: () => string | undefined): () => Record<string, string> {
  return () => {
    const token = getToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };
}

/** The subset of the Web Storage API a token store can persist to (`localStorage` fits). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The tokens a client holds. */
export interface Tokens {
  readonly authToken?: string | undefined;
  readonly refreshToken?: string | undefined;
}

/** Where the client keeps its tokens; read synchronously on every request. */
export interface TokenStore {
  getAuthToken(): string | undefined;
  getRefreshToken(): string | undefined;
  /** Stores the given tokens; a token left out keeps its current value. */
  setTokens(tokens: Tokens): void;
  /** Forgets both tokens (logout). */
  clear(): void;
  /**
   * Calls `listener` after each `setTokens` or `clear` that changed a token; returns a function
   * that stops it. Optional in stores you write yourself: `refreshLink` uses it to close a
   * WebSocket bound to a token that is gone (see its `webSocket` option).
   */
  subscribe?(listener: () => void): () => void;
}

/** Options for {@link createTokenStore}. */
export interface TokenStoreOptions {
  /** Persist to this storage (e.g. `sessionStorage`) instead of memory. */
  readonly storage?: TokenStorage | undefined;
  /** Storage key prefix. Default `"trpc-jwt."`. */
  readonly prefix?: string | undefined;
}

/**
 * A token store: in memory by default, or backed by any Web Storage-like object.
 *
 * @example
 * ```ts
 * const store = createTokenStore();                       // memory
 * const persistent = createTokenStore({ storage: sessionStorage });
 * store.setTokens({ authToken, refreshToken });
 * const stop = store.subscribe(() => console.log("tokens changed"));
 * ```
 */
export function createTokenStore(options: TokenStoreOptions = {}): Required<TokenStore> {
  const { storage = memoryStorage(), prefix = "trpc-jwt." } = options;
  const authKey = `${prefix}authToken`;
  const refreshKey = `${prefix}refreshToken`;
  const listeners = new Set<() => void>();
  // Runs `change` and tells the listeners if it changed either token.
  const notifying = (change: () => void) => {
    const before = [storage.getItem(authKey), storage.getItem(refreshKey)];
    change();
    if (before[0] === storage.getItem(authKey) && before[1] === storage.getItem(refreshKey)) return;
    for (const listener of [...listeners]) listener();
  };
  return {
    getAuthToken: () => storage.getItem(authKey) ?? undefined,
    getRefreshToken: () => storage.getItem(refreshKey) ?? undefined,
    setTokens: (tokens) =>
      notifying(() => {
        if (tokens.authToken !== undefined) storage.setItem(authKey, tokens.authToken);
        if (tokens.refreshToken !== undefined) storage.setItem(refreshKey, tokens.refreshToken);
      }),
    clear: () =>
      notifying(() => {
        storage.removeItem(authKey);
        storage.removeItem(refreshKey);
      }),
    subscribe(listener) {
      const entry = () => listener(); // its own identity: subscribing one function twice gives two
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
  };
}

function memoryStorage(): TokenStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

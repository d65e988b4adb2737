// What the conformance suites take (the store under test and the runner's `it` and `expect`), and
// the helpers they share. Web APIs only (crypto.randomUUID), no test runner.
import type { RevocationEvent, TokenStore } from "../stores/TokenStore.js";

/**
 * How the conformance suite reaches a store: `open()` returns a store on the shared backend;
 * calling it twice gives two views of the same data, as two server processes would have (for an
 * in-memory store, the same instance).
 */
export interface StoreUnderTest {
  open(): Promise<TokenStore>;
}

/** The matchers the suite uses; vitest's, jest's and bun:test's `expect` have them all. */
export interface ConformanceMatchers {
  toBe(expected: unknown): unknown;
  toEqual(expected: unknown): unknown;
  toBeUndefined(): unknown;
  toBeGreaterThan(expected: number): unknown;
  toBeGreaterThanOrEqual(expected: number): unknown;
  toBeLessThan(expected: number): unknown;
  toHaveLength(expected: number): unknown;
}

/** The test runner's functions the suite registers its cases with. */
export interface ConformanceRunner {
  it(name: string, test: () => Promise<void>): unknown;
  expect(actual: unknown): ConformanceMatchers;
}

/** A fresh id, unique across runs and views. */
export const id = () => globalThis.crypto.randomUUID();
/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** An hour in milliseconds: the expiry of an entry a case does not wait out. */
export const HOUR = 3_600_000;

/** Waits until `condition` holds, at most `timeoutMs`; the expectations after it say what failed. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() <= deadline) await sleep(5);
}

/**
 * Subscribes to `store` a listener that records announcements, and waits until the subscription
 * says it listens (`up`): until then trpc-jwt cannot count on its announcements, so a store whose
 * subscription never does fails here. `undefined` for a store without `subscribe`.
 */
export async function listening(store: TokenStore, expect: ConformanceRunner["expect"]) {
  if (store.subscribe === undefined) return undefined;
  const events: RevocationEvent[] = [];
  const state = { up: false };
  const stop = store.subscribe({
    event: (event) => events.push(event),
    up: () => (state.up = true),
    down: () => (state.up = false),
  });
  await until(() => state.up);
  expect(state.up).toBe(true);
  return { events, stop };
}

/** Opens a view of the store when it has every one of the optional `methods`, else `undefined`: its cases then pass at once. */
export function viewsWith<K extends keyof TokenStore>(target: StoreUnderTest, methods: readonly K[]) {
  return async (): Promise<(TokenStore & Required<Pick<TokenStore, K>>) | undefined> => {
    const store = await target.open();
    return methods.every((name) => store[name] !== undefined) ? (store as TokenStore & Required<Pick<TokenStore, K>>) : undefined;
  };
}

// What the conformance suites take: the store under test and the runner's `it` and `expect`.
import type { TokenStore } from "../stores/TokenStore.js";

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

/** Shared state of the jose stand-in: how often compactVerify ran, and an optional forced failure. */
export interface JoseSpy {
  calls: number;
  failWith: unknown;
}

/**
 * A `vi.mock("jose", ...)` factory body: the real jose, with compactVerify counted (and made to
 * reject with `spy.failWith` when set), so tests can prove what does or does not reach jose.
 */
export async function countingJose(importOriginal: <T>() => Promise<T>, spy: JoseSpy) {
  const original = await importOriginal<typeof import("jose")>();
  return {
    ...original,
    compactVerify: (...args: Parameters<typeof original.compactVerify>) => {
      spy.calls++;
      return spy.failWith === undefined ? original.compactVerify(...args) : Promise.reject(spy.failWith);
    },
  };
}

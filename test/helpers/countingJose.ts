/** Shared state of the jose stand-in: how often jwtVerify ran, and an optional forced failure. */
export interface JoseSpy {
  calls: number;
  failWith: unknown;
}

/**
 * A `vi.mock("jose", ...)` factory body: the real jose, with jwtVerify counted (and made to
 * reject with `spy.failWith` when set), so tests can prove what does or does not reach jose.
 */
export async function countingJose(importOriginal: <T>() => Promise<T>, spy: JoseSpy) {
  const original = await importOriginal<typeof import("jose")>();
  return {
    ...original,
    jwtVerify: (...args: Parameters<typeof original.jwtVerify>) => {
      spy.calls++;
      return spy.failWith === undefined ? original.jwtVerify(...args) : Promise.reject(spy.failWith);
    },
  };
}

/** Shared state of the signature-check spies: how many signatures were checked, and an optional forced failure. */
export interface SignatureSpy {
  calls: number;
  failWith: unknown;
}

/**
 * A `vi.mock("jose", ...)` factory body: the real jose, with compactVerify counted (and made to
 * reject with `spy.failWith` when set). The jose fallback's signature checks.
 */
export async function countingJose(importOriginal: <T>() => Promise<T>, spy: SignatureSpy) {
  const original = await importOriginal<typeof import("jose")>();
  return {
    ...original,
    compactVerify: (...args: Parameters<typeof original.compactVerify>) => {
      spy.calls++;
      return spy.failWith === undefined ? original.compactVerify(...args) : Promise.reject(spy.failWith);
    },
  };
}

/**
 * A `vi.mock("../src/keys/nativeVerify.js", ...)` factory body: the real module, with every native
 * signature check counted (and made to throw `spy.failWith` when set). With `countingJose` on the
 * same spy, tests count signature checks, and inject failures into them, on either path.
 */
export async function countingNativeVerify(importOriginal: <T>() => Promise<T>, spy: SignatureSpy) {
  const original = await importOriginal<typeof import("../../src/keys/nativeVerify.js")>();
  return {
    ...original,
    nativeVerify: (...args: Parameters<typeof original.nativeVerify>) => {
      const check = original.nativeVerify(...args);
      return (
        check &&
        ((input: string, signature: Uint8Array) => {
          spy.calls++;
          if (spy.failWith !== undefined) throw spy.failWith;
          return check(input, signature);
        })
      );
    },
  };
}

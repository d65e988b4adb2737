/**
 * What `run` returns, or `undefined` when it throws: for the parsers that key reading tries in
 * turn, where a form that does not parse only means "not this form", never an error to pass on.
 *
 * @example
 * ```ts
 * const privateKey = attempt(() => createPrivateKey(pem)); // undefined for a public key's PEM
 * ```
 */
export function attempt<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}

// What other JWT libraries call our options: their names are the likeliest mistakes.
const ALIASES: Readonly<Record<string, string>> = {
  expiresin: "authMaxAge",
  expires: "authMaxAge",
  maxage: "authMaxAge",
  ttl: "authMaxAge",
  accesstokenttl: "authMaxAge",
  refreshexpiresin: "refreshMaxAge",
  refreshttl: "refreshMaxAge",
  algorithm: "authType",
  algorithms: "authType",
  alg: "authType",
  key: "secret",
  privatekey: "secret",
  secretorprivatekey: "secret",
  signingkey: "secret",
  iss: "issuer",
  aud: "audience",
  kid: "keyId",
  leeway: "clockTolerance",
  clockskew: "clockTolerance",
  clocktimestamp: "clock",
};

/**
 * The option a misspelt or foreign option name most likely meant (`expiresIn` -> `authMaxAge`,
 * `authMaxAeg` -> `authMaxAge`), or undefined when nothing is close.
 *
 * @example
 * ```ts
 * suggestOption("expiresIn", ["authMaxAge", "issuer"]); // "authMaxAge"
 * ```
 */
export function suggestOption(name: string, options: readonly string[]): string | undefined {
  const lower = name.toLowerCase().replace(/[_-]/g, "");
  const alias = ALIASES[lower];
  if (alias !== undefined && options.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const option of options) {
    const distance = editDistance(lower, option.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [option, distance];
  }
  return best;
}

// Levenshtein distance; names are short, so the quadratic table is nothing.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * `node:crypto` where the runtime has a complete one (Node, Bun, Deno), else `undefined`: the
 * caller then does the work with Web Crypto and jose. Loaded without a static import, so the
 * module graph of the server entry also loads where `node:crypto` does not exist (Cloudflare
 * Workers without `nodejs_compat`, Vercel's Edge Runtime).
 *
 * On Cloudflare Workers, `nodejs_compat`'s `node:crypto` is left out too: its `crypto.verify`
 * refuses the `{ key, padding }` form the native verifier uses, so every RS256 signature would be
 * refused (`npm run test:runtimes` runs that configuration). Module-internal.
 *
 * @example
 * ```ts
 * const hash = nodeCrypto?.createHash("sha256").update(text).digest("base64url");
 * ```
 */
export const nodeCrypto: typeof import("node:crypto") | undefined =
  globalThis.navigator?.userAgent === "Cloudflare-Workers" ? undefined : globalThis.process?.getBuiltinModule?.("node:crypto");

import { CSRF_HEADER } from "../wire/cookies.js";
import { sessionCookie } from "./documentCookie.js";

/**
 * A synchronous `headers` function for `httpLink` / `httpBatchLink` in cookie sessions: sends the
 * csrf cookie's value as `x-csrf-token`, which the server requires on every cookie-authenticated
 * call that is not a GET. Reads `__Host-csrf`, then `csrf`, unless `name` is given; sends nothing
 * when there is no such cookie (logged out).
 *
 * @example
 * ```ts
 * httpBatchLink({ url: "/trpc", headers: csrfHeader() });
 * // with headers of your own:
 * httpLink({ url: "/trpc", headers: () => ({ ...csrfHeader()(), "x-app": "web" }) });
 * ```
 */
export function csrfHeader(name?: string): () => Record<string, string> {
  const csrf = sessionCookie("csrf", name);
  return () => {
    const value = csrf();
    return value === undefined ? {} : { [CSRF_HEADER]: value };
  };
}

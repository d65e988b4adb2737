// The typed browser client: cookies are the token store (scripts never see a token), every call
// repeats the csrf cookie as x-csrf-token, and cookieRefreshLink refreshes the auth cookie.
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from "@trpc/client";
import { cookieRefreshLink, csrfHeader } from "trpc-jwt/client";
import type { AppRouter } from "./server";

const url = "/trpc";
const headers = csrfHeader();
// Calls that set cookies go through httpLink, each in its own request.
const SETS_COOKIES = new Set(["auth.login", "auth.refresh", "auth.logout"]);

let cached: { client: ReturnType<typeof create>; refreshBefore: number } | undefined;

function create(refreshBefore: number) {
  const plain = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers })] });
  return createTRPCClient<AppRouter>({
    links: [
      cookieRefreshLink({ refresh: () => plain.auth.refresh.mutate(), onLogout: () => location.assign("/"), refreshBefore }),
      splitLink({ condition: (op) => SETS_COOKIES.has(op.path), true: httpLink({ url, headers }), false: httpBatchLink({ url, headers }) }),
    ],
  });
}

/**
 * The page's one client. `authLifetime` is the server's auth token lifetime in seconds: the link
 * refreshes 10 seconds before the auth cookie runs out, or a quarter of a shorter lifetime, so
 * that short-lived tokens are not refreshed on every call.
 */
export function trpc(authLifetime: number) {
  const refreshBefore = Math.min(10, authLifetime / 4);
  if (cached?.refreshBefore !== refreshBefore) cached = { client: create(refreshBefore), refreshBefore };
  return cached.client;
}

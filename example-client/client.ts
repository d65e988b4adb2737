import { pathToFileURL } from "node:url";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { bearerHeaders, createTokenStore, jwtErrorCode, refreshLink } from "trpc-jwt/client";
import type { AppRouter } from "../example-server/appRouter.js";

/**
 * Walks through the example API as a user of trpc-jwt would: login, allowed and refused calls,
 * an automatic refresh after the auth token expires, override, and logout. Prints a transcript
 * and resolves to true when every step behaved as expected.
 */
export async function runDemoClient(url: string, log: (line: string) => void = console.log): Promise<boolean> {
  const store = createTokenStore();
  let refreshes = 0;
  let logouts = 0;
  // Refresh goes through its own client, with the refresh token as bearer and without the refresh link.
  const refreshClient = createTRPCClient<AppRouter>({
    links: [httpLink({ url, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      refreshLink({
        store,
        refresh: () => {
          refreshes++;
          return refreshClient.refresh.mutate();
        },
        onLogout: () => logouts++,
      }),
      httpBatchLink({ url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
    ],
  });

  let failures = 0;
  const pass = (line: string) => log(`  ok    ${line}`);
  const fail = (line: string) => {
    failures++;
    log(`  FAIL  ${line}`);
  };
  async function allowed<T>(label: string, call: () => Promise<T>, expected?: T): Promise<T | undefined> {
    try {
      const value = await call();
      if (expected !== undefined && JSON.stringify(value) !== JSON.stringify(expected)) fail(`${label}: got ${JSON.stringify(value)}`);
      else pass(`${label} -> ${JSON.stringify(value)}`);
      return value;
    } catch (error) {
      fail(`${label}: refused (${describe(error)})`);
      return undefined;
    }
  }
  async function refused(label: string, call: () => Promise<unknown>, expected: string): Promise<void> {
    try {
      await call();
      fail(`${label}: was allowed, expected ${expected}`);
    } catch (error) {
      const got = describe(error);
      if (got === expected) pass(`${label} -> refused: ${got}`);
      else fail(`${label}: refused with ${got}, expected ${expected}`);
    }
  }

  async function login(username: string, password: string): Promise<string> {
    store.setTokens(await client.login.mutate({ username, password }));
    return "tokens stored";
  }

  log(`trpc-jwt demo client -> ${url}`);
  log("1. Before logging in");
  await refused("protectedRoute without a token", () => client.protectedRoute.query(), "401 TOKEN_MISSING");
  await refused("login with a wrong password", () => client.login.mutate({ username: "alice", password: "guess" }), "401 UNAUTHORIZED");

  log("2. Logged in as alice");
  if ((await allowed("login alice", () => login("alice", "wonderland"))) === undefined) return false;
  await allowed("protectedRoute", () => client.protectedRoute.query(), "You are logged in");
  await allowed("user({ username: 'alice' })", () => client.user.query({ username: "alice" }), "Hello, alice!");
  await refused("user({ username: 'bob' })", () => client.user.query({ username: "bob" }), "403 CLAIMS_MISMATCH");
  await allowed("custom", () => client.custom.query(), "You have the custom claim");
  await refused("admin", () => client.admin.query(), "403 SCOPE_MISMATCH");
  await refused("overridable({ username: 'root' })", () => client.overridable.query({ username: "root" }), "403 CLAIMS_MISMATCH");
  const info = await allowed("info", () =>
    client.info.query().then(({ tokenType, sub, scope, claims }) => ({ tokenType, sub, scope, lifetime: claims.exp - claims.iat })),
  );

  log("3. The auth token expires; the refresh link renews it");
  const expiredToken = store.getAuthToken();
  // Counted from here: on a slow machine the 2 s token may already have been renewed once above.
  const refreshesBefore = refreshes;
  const waitMs = ((info?.lifetime ?? 2) + 1) * 1000;
  log(`  ...   waiting ${waitMs / 1000}s for the auth token to expire`);
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  await refused(
    "the old token, sent by hand",
    () =>
      createTRPCClient<AppRouter>({ links: [httpLink({ url, transformer: superjson, headers: bearerHeaders(() => expiredToken) })] }).protectedRoute.query(),
    "401 TOKEN_EXPIRED",
  );
  await allowed("protectedRoute and custom together, through the refresh link", () => Promise.all([client.protectedRoute.query(), client.custom.query()]), [
    "You are logged in",
    "You have the custom claim",
  ]);
  const renewals = refreshes - refreshesBefore;
  if (renewals === 1 && store.getAuthToken() !== expiredToken) pass("exactly one refresh, new auth token stored");
  else fail(`expected one refresh, saw ${renewals}`);

  log("3b. Logged in as root (top-level admin claim)");
  await allowed("login root", () => login("root", "correct horse battery staple"));
  await allowed("admin", () => client.admin.query(), "Welcome, admin");
  await allowed("overridable({ username: 'alice' })", () => client.overridable.query({ username: "alice" }), "Hello, alice! (override allowed)");

  log("4. Logout");
  store.clear();
  await refused("protectedRoute after logout", () => client.protectedRoute.query(), "401 TOKEN_MISSING");
  store.setTokens({ authToken: expiredToken, refreshToken: "revoked-or-garbage" });
  await refused("an expired token whose refresh fails", () => client.protectedRoute.query(), "401 TOKEN_EXPIRED");
  if (logouts === 1 && store.getAuthToken() === undefined) pass("logout callback fired once and the store was cleared");
  else fail(`expected one logout callback, saw ${logouts}`);

  log("5. Sessions: single-use refresh tokens, reuse detection, logout");
  const bearerClient = (token: string) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url, transformer: superjson, headers: bearerHeaders(() => token) })] });
  await allowed("login alice", () => login("alice", "wonderland"));
  const stolen = store.getRefreshToken() as string;
  const rotated = await allowed("refresh: a new pair, the old refresh token is used up", () =>
    refreshClient.refresh.mutate().then((tokens) => (store.setTokens(tokens), "new pair stored")),
  );
  if (rotated !== undefined) await allowed("protectedRoute with the new pair", () => client.protectedRoute.query(), "You are logged in");
  const newest = store.getAuthToken() as string;
  await refused("the old refresh token presented again (a thief replaying it)", () => bearerClient(stolen).refresh.mutate(), "401 TOKEN_REUSED");
  await refused("alice's newest auth token: the reuse ended her whole session", () => bearerClient(newest).protectedRoute.query(), "401 TOKEN_REVOKED");
  await allowed("login alice again", () => login("alice", "wonderland"));
  const beforeLogout = store.getAuthToken() as string;
  await allowed("logout (revokeSession)", () => bearerClient(beforeLogout).logout.mutate(), "logged out");
  await refused("the auth token of the session that logged out", () => bearerClient(beforeLogout).protectedRoute.query(), "401 TOKEN_REVOKED");
  store.clear();

  log(failures === 0 ? "demo: every step behaved as expected" : `demo: ${failures} step(s) misbehaved`);
  return failures === 0;
}

function describe(error: unknown): string {
  if (!(error instanceof TRPCClientError)) return String(error);
  const data = error.data as { httpStatus?: number; code?: string } | undefined;
  return `${data?.httpStatus ?? "?"} ${jwtErrorCode(error) ?? data?.code ?? "?"}`;
}

// `npx tsx example-client/client.ts [url]` runs it against a server that is already up.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ok = await runDemoClient(process.argv[2] ?? process.env["TRPC_URL"] ?? "http://127.0.0.1:3000");
  process.exitCode = ok ? 0 : 1;
}

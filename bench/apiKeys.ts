// API keys (issue 28): a guarded call with an API key against the same guarded call with a
// repeated auth token, in one process, on the same manager (redisStore() on a real redis-server
// when there is one, else memoryStore()); and how long a revocation takes to reach other
// processes' managers (each with its own Redis connections, as a process has).
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, type TokenStore } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { connectRedis, hasRedisServer, startRedisServer } from "../test/helpers/redisServer.js";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";

export const API_KEY_GROUP = "tRPC call guarded by requireToken({ apiKey: true, scope }), same manager";
const TOKEN_ROW = "repeated auth token";
const KEY_ROW = "API key";
const SECRET = "benchmark-secret-0123456789abcdef";
const REVOCATIONS = 50;

/** A manager on `store` with one procedure that accepts keys; `call(credential)` goes through fetchRequestHandler. */
function app(store: TokenStore) {
  const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET, store });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { requireToken } = createJwtProcedures(t);
  const router = t.router({ deploy: t.procedure.use(requireToken({ apiKey: true, scope: { deploy: true } })).query(({ ctx }) => ctx.token.sub) });
  const call = async (credential: string) => {
    const req = new Request("http://localhost/trpc/deploy", { headers: { authorization: `Bearer ${credential}` } });
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req });
    if (res.status !== 200) throw new Error(`deploy: ${res.status}`);
    return res.text();
  };
  return { auth, call };
}

/** Opens what a part needs (Redis if it can: `count` stores, each on its own connections, as processes have) and returns the stores and how to close them. */
export async function stores(count: number): Promise<{ stores: TokenStore[]; where: string; close: () => Promise<void> }> {
  if (!hasRedisServer()) {
    const shared = memoryStore();
    return { stores: Array.from({ length: count }, () => shared), where: "memoryStore()", close: async () => undefined };
  }
  const server = await startRedisServer();
  const closers: (() => Promise<unknown>)[] = [() => server.stop()];
  const opened: TokenStore[] = [];
  for (let i = 0; i < count; i++) {
    const client = await connectRedis(server.url);
    const store = redisStore(client);
    await store.ready();
    closers.push(
      () => client.close(),
      () => store.close(),
    );
    opened.push(store);
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // the pub/sub channels come up
  return { stores: opened, where: "redisStore()", close: async () => void (await Promise.all(closers.reverse().map((close) => close()))) };
}

/** The group: the same guarded procedure called with a repeated auth token and with an API key. */
export async function apiKeyRows(options: GroupOptions): Promise<Row[]> {
  const opened = await stores(1);
  try {
    const { auth, call } = app(opened.stores[0] as TokenStore);
    const token = (await auth.login("ci", { deploy: true })).authToken.signed;
    const { key } = await auth.apiKeys.create("ci", { name: "bench", scope: { deploy: true } });
    const cases: Case[] = [
      [`${TOKEN_ROW}, ${opened.where}`, () => call(token)],
      [`${TOKEN_ROW} (again: noise gauge)`, () => call(token)],
      [`${KEY_ROW}, ${opened.where}`, () => call(key)],
    ];
    return await measureGroup(API_KEY_GROUP, cases, options);
  } finally {
    await opened.close();
  }
}

/** The target line: the API key call against the auth token call (target <= 1.10). */
export function apiKeyTargets(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>, digits?: number) => string): string[] {
  const row = (prefix: string) => rows.find((candidate) => candidate.group === API_KEY_GROUP && candidate.name.startsWith(prefix))!;
  const cost = ratio(row(`${TOKEN_ROW},`), row(`${KEY_ROW},`));
  const gauge = ratio(row(`${TOKEN_ROW},`), row(`${TOKEN_ROW} (again`));
  return [
    `- a guarded call with an API key costs ${spread(cost, 3)} the same call with a repeated auth token (target <= 1.10); the token call against itself ${spread(gauge, 3)}`,
  ];
}

/**
 * Revocation propagation: three managers, each on its own Redis connections (as three processes
 * are); a key is revoked through the first while the two others, which have remembered it, are
 * asked back to back; the time from `revoke` returning until each refuses, over 50 keys.
 */
export async function apiKeyPropagation(): Promise<string> {
  const opened = await stores(3);
  try {
    const [issuing, ...others] = opened.stores.map((store) => app(store));
    const latencies: number[] = [];
    for (let n = 0; n < REVOCATIONS; n++) {
      const { key, id } = await issuing!.auth.apiKeys.create("ci", { name: `propagation ${n}`, scope: { deploy: true } });
      for (const other of others) await other.call(key);
      await issuing!.auth.apiKeys.revoke(id);
      const revokedAt = performance.now();
      await Promise.all(
        others.map(async (other) => {
          for (;;) {
            const refused = await other.call(key).then(
              () => false,
              () => true,
            );
            if (refused) return void latencies.push(performance.now() - revokedAt);
            if (performance.now() - revokedAt > 5000) throw new Error("a revoked key was still accepted after 5 s");
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number).toFixed(2);
    return [
      `## API key revocation reaching two other managers (${opened.where}, each on its own connections)\n`,
      `${latencies.length} refusals after ${REVOCATIONS} revocations: median ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms after revoke() returned (target: within 100 ms).`,
    ].join("\n");
  } finally {
    await opened.close();
  }
}

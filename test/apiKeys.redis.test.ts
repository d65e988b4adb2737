// API keys on a real redis-server: what they cost in Redis commands (counted by INFO
// commandstats), and that the store never holds a key in clear. The 10,000 calls go through the
// guard in-process (createCaller, a context per call as each request has); a handful go over HTTP.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, type JwtError } from "trpc-jwt";
import { redisStore, type RedisTokenStore } from "trpc-jwt/redis";
import { formatApiKey } from "../src/apiKeys/apiKeyFormat.js";
import { startServer } from "./helpers/httpServer.js";
import { HS256_SECRET } from "./helpers/keys.js";
import { connectRedis, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";

const CALLS = 10_000;
// What the count leaves out: the count's own INFO and CONFIG, and the channel's heartbeat PUBLISH
// (a process that has heard nothing for 500 ms publishes one; it is neither a read nor a write of a key).
const NOT_COUNTED = new Set(["info", "config|resetstat", "publish", "subscribe", "ping", "pubsub|numsub", "client|setinfo"]);

function createApp(auth: AuthManager) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { requireToken } = createJwtProcedures(t);
  const router = t.router({
    deploy: t.procedure.use(requireToken({ apiKey: true, scope: { deploy: true } })).query(({ ctx }) => ctx.token.sub),
  });
  return { router, createContext };
}

describe.runIf(hasRedisServer())("API keys on redis-server: Redis commands counted", () => {
  let redis: RedisServer;
  let stats: Awaited<ReturnType<typeof connectRedis>>;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    stats = await connectRedis(redis.url);
  }, 30_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stats?.close();
    await redis?.stop();
  });

  /** A manager as a fresh server process has it: its own client and store on the shared Redis. */
  async function freshManager(): Promise<{ auth: AuthManager; store: RedisTokenStore }> {
    const client = await connectRedis(redis.url);
    const store = redisStore(client);
    await store.ready(); // its start-up checks (CONFIG GET maxmemory-policy, INFO replication), as an app awaits them
    closers.push(
      () => client.close(),
      () => store.close(),
    );
    const before = await subscribers();
    const auth = new AuthManager({ issuer: "api-keys", authType: "HS256", secret: HS256_SECRET, store });
    // The manager's revocation channel is subscribed (and a moment later live) before counting starts.
    for (let i = 0; i < 200 && (await subscribers()) <= before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { auth, store };
  }
  const subscribers = async () => Number(((await stats.sendCommand(["PUBSUB", "NUMSUB", "trpc-jwt:revoked"])) as [string, number])[1]);

  /** The commands Redis ran since the last call, by name (INFO commandstats), less those not counted. */
  async function commandsSince(): Promise<Record<string, number>> {
    const info = String(await stats.sendCommand(["INFO", "commandstats"]));
    await stats.sendCommand(["CONFIG", "RESETSTAT"]);
    const counts: Record<string, number> = {};
    for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (!NOT_COUNTED.has(name as string)) counts[name as string] = Number(calls);
    }
    return counts;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

  it(`${CALLS} calls with one valid key from one process: at most 1 read and 0 writes (in-process calls, and a handful over HTTP)`, async () => {
    const issuer = await freshManager();
    const { key } = await issuer.auth.apiKeys.create("ci", { name: "ci", scope: { deploy: true } });
    const { auth } = await freshManager(); // another process: it has never seen the key
    const app = createApp(auth);
    const server = await startServer({ router: app.router, createContext: app.createContext });
    closers.push(() => server.close());
    await commandsSince();

    const headers = new Headers({ authorization: `Bearer ${key}` });
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const caller = app.router.createCaller(app.createContext({ headers }));
      expect(await caller.deploy()).toBe("ci");
      // The event loop turns every 100 calls, as between a server's requests: a remembered key
      // settles without I/O, so the 10,000 calls would otherwise be one turn of the loop, and one
      // that outlasts 1.5 s on a loaded machine silences the revocation channel (it then counts
      // as down and forgets what it remembered, by design).
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const elapsed = performance.now() - started;
    const client = createTRPCClient<typeof app.router>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: { authorization: `Bearer ${key}` } })],
    });
    for (let i = 0; i < 5; i++) expect(await client.deploy.query()).toBe("ci");
    const counts = await commandsSince();
    console.log(
      `${CALLS} in-process calls in ${elapsed.toFixed(0)} ms (${((elapsed * 1000) / CALLS).toFixed(1)} µs each, under load) and 5 over HTTP: Redis ran ${JSON.stringify(counts)}`,
    );
    expect(total(counts)).toBeLessThanOrEqual(1);
    expect(Object.keys(counts).every((name) => name === "get")).toBe(true);
  });

  it(`${CALLS} calls with random, mistyped (checksum) and forged (valid checksum, wrong secret) keys: 0 commands`, async () => {
    const { auth } = await freshManager();
    const { key, id } = await auth.apiKeys.create("ci", { name: "ci", scope: { deploy: true } });
    const app = createApp(auth);
    const server = await startServer({ router: app.router, createContext: app.createContext });
    closers.push(() => server.close());
    const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * 32)]).join("");
    const keys = Array.from({ length: CALLS }, (_, i) => {
      if (i % 3 === 0) return `tjk_${pick(26)}_${pick(39)}`; // random
      if (i % 3 === 1) {
        const at = 4 + (i % 66); // one character changed: the checksum no longer holds
        const swapped = key[at] === "_" ? "_" : key[at] === "a" ? "b" : "a";
        return at === 30 ? key.slice(0, -1) + (key.at(-1) === "a" ? "b" : "a") : key.slice(0, at) + swapped + key.slice(at + 1);
      }
      return formatApiKey("tjk_", i % 2 === 0 ? id : pick(26), pick(32)); // forged: valid form and checksum, wrong secret
    });
    await commandsSince();
    const started = performance.now();
    for (const bad of keys) {
      const caller = app.router.createCaller(app.createContext({ headers: new Headers({ authorization: `Bearer ${bad}` }) }));
      const refused = await caller.deploy().then(
        () => undefined,
        (error: { cause?: JwtError }) => error.cause?.code,
      );
      expect(refused).toBe("TOKEN_INVALID");
    }
    const elapsed = performance.now() - started;
    const client = (bad: string) =>
      createTRPCClient<typeof app.router>({ links: [httpLink({ url: server.url, transformer: superjson, headers: { authorization: `Bearer ${bad}` } })] });
    for (const bad of keys.slice(0, 6)) {
      const error = await client(bad)
        .deploy.query()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<typeof app.router>).data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_INVALID" });
    }
    const counts = await commandsSince();
    console.log(`${CALLS} bad keys refused in ${elapsed.toFixed(0)} ms (under load), 6 more over HTTP: Redis ran ${JSON.stringify(counts)}`);
    expect(counts).toEqual({});
  });

  it("100 concurrent first uses of a key in a process cost 1 read; once revoked, 1,000 presentations there cost 0 commands", async () => {
    const issuer = await freshManager();
    const { key, id } = await issuer.auth.apiKeys.create("ci", { name: "burst", scope: { deploy: true } });
    const app = createApp((await freshManager()).auth);
    const call = () => app.router.createCaller(app.createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) })).deploy();
    await commandsSince();
    expect(await Promise.all(Array.from({ length: 100 }, call))).toEqual(Array(100).fill("ci"));
    expect(await commandsSince()).toEqual({ get: 1 });
    await issuer.auth.apiKeys.revoke(id);
    await commandsSince();
    const refused = async () =>
      (await call().then(
        () => undefined,
        (error: { cause?: JwtError }) => error.cause?.code,
      )) === "TOKEN_REVOKED";
    for (let i = 0; i < 1000 && !(await refused()); i++) await new Promise((resolve) => setTimeout(resolve, 1));
    for (let i = 0; i < 1000; i++) expect(await refused()).toBe(true);
    expect(await commandsSince()).toEqual({});
  });

  it("the store never holds a key in clear: every value Redis keeps, read back, contains neither the key nor its secret", async () => {
    const { auth } = await freshManager();
    const created = await Promise.all(
      [1, 2, 3].map((n) => auth.apiKeys.create(`partner-${n}`, { name: `key ${n}`, scope: { deploy: true }, expiresIn: 3600 })),
    );
    const names = (await stats.sendCommand(["KEYS", "*"])) as string[];
    let dump = names.join("\n");
    for (const name of names) {
      const type = String(await stats.sendCommand(["TYPE", name]));
      const read: Record<string, string[]> = { string: ["GET", name], hash: ["HGETALL", name], set: ["SMEMBERS", name], zset: ["ZRANGE", name, "0", "-1"] };
      if (read[type] !== undefined) dump += "\n" + JSON.stringify(await stats.sendCommand(read[type]));
    }
    for (const { key, id } of created) {
      expect(dump).toContain(id);
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.slice(31, 63));
    }
  });
});

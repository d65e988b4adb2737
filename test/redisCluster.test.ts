// Issue 25: redisStore on a real Redis Cluster of 3 masters and 3 replicas (redis-server
// --cluster-enabled yes on loopback ports, joined by redis-cli --cluster create): the store
// conformance suite, two server processes sharing it over HTTP, and a master killed by its pid
// during 2,000 revocations and rotations. One cluster for the whole file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStore, type RedisClusterLike } from "trpc-jwt/redis";
import { storeConformance } from "trpc-jwt/testing";
import { connectCluster, startRedisCluster, type RedisCluster } from "./helpers/redisCluster.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { batchClient, client, outcome, sessionProcessTests, startProcess, stopProcess, type ServerProcess } from "./helpers/serverProcesses.js";

const fileStartedMs = performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items`, `concurrency` at a time; results in order. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}

describe.runIf(hasRedisServer())("redisStore on a Redis Cluster (3 masters, 3 replicas)", () => {
  let cluster: RedisCluster;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
    console.log(`Redis Cluster of 6 nodes up in ${(performance.now() - fileStartedMs).toFixed(0)} ms`);
  }, 60_000);
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
    await cluster?.stop();
    console.log(`redisCluster.test.ts wall time: ${((performance.now() - fileStartedMs) / 1000).toFixed(1)} s`);
  }, 60_000);

  async function open() {
    const connection = await connectCluster(cluster.urls);
    const store = redisStore(connection as unknown as RedisClusterLike);
    cleanup.push(
      async () => connection.destroy(),
      () => store.close(),
    );
    return store;
  }

  describe("conformance", () => {
    storeConformance({ open }, { it, expect });
  });

  describe("two server processes", () => {
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      const env = { REDIS_CLUSTER: cluster.urls.join(","), ROTATION_GRACE: "0", STORE_TIMEOUT: "500" };
      servers = await Promise.all([1, 2].map(() => startProcess(env)));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(servers.map(stopProcess));
    });
    const a = () => servers[0]!.url;
    const b = () => servers[1]!.url;

    sessionProcessTests(() => [a(), b()]);

    it("a master killed by its pid during 2,000 revocations and rotations: every success is honoured after the failover (0 lost revocations, 0 reused refresh tokens accepted); the rest answer 503", async () => {
      const PER_KIND = 1_000;
      // Set up in batches (16 calls a request); the calls measured below go one per request.
      const setup = batchClient(a());
      const logins = await pool(Array.from({ length: 2 * PER_KIND }), 16, (_, i) => setup.login.mutate({ sub: `failover-${i}` }));
      const [victim] = await cluster.masters();
      let done = 0;
      let killedAtMs = 0;
      let restarted: Promise<void> = Promise.resolve();
      const startedMs = performance.now();
      // Even: a logout (revokeSession); odd: a rotation; all through process A.
      const results = await pool(logins, 16, async (pair, i) => {
        const call = i % 2 === 0 ? client(a(), pair.authToken).logout.mutate() : client(a()).rotate.mutate({ refresh: pair.refreshToken });
        const result = await outcome(call);
        if (++done === 300) {
          killedAtMs = performance.now() - startedMs;
          process.kill(victim!.pid, "SIGKILL");
          // Restarted as an operator would: it rejoins as the replica of the node that took over
          // (until then that node has no replica to acknowledge writes: they answer 503).
          restarted = sleep(3_000).then(() => victim!.start());
        }
        return result;
      });
      const callsMs = performance.now() - startedMs;
      const codes = new Map<string, number>();
      for (const { status, jwtCode } of results) codes.set(`${status} ${jwtCode ?? ""}`.trim(), (codes.get(`${status} ${jwtCode ?? ""}`.trim()) ?? 0) + 1);
      console.log(
        `failover: master :${victim!.port} killed after 300 calls, restarted 3 s later (${killedAtMs.toFixed(0)} ms); 2,000 calls in ${callsMs.toFixed(0)} ms:`,
        Object.fromEntries(codes),
      );
      for (const key of codes.keys()) expect(["200", "503 STORE_UNAVAILABLE"]).toContain(key);
      expect(codes.get("503 STORE_UNAVAILABLE") ?? 0).toBeGreaterThan(0); // the kill did hit calls

      await restarted;
      await cluster.healthy(30_000);
      const backMs = performance.now() - startedMs;
      for (;;) {
        const [login, other] = await Promise.all([outcome(client(b()).login.mutate({ sub: "probe" })), outcome(client(a()).login.mutate({ sub: "probe" }))]);
        if (login.status === 200 && other.status === 200) break;
        if (performance.now() - startedMs > 40_000) throw new Error("the processes did not recover after the failover");
        await sleep(100);
      }
      console.log(
        `failover: cluster healthy ${(backMs - killedAtMs).toFixed(0)} ms after the kill; processes serving ${(performance.now() - startedMs - killedAtMs).toFixed(0)} ms after it`,
      );

      // Asked of process B, which has seen none of these tokens: the store's answer after the takeover.
      // The rotations go in batches (their token is in the input); each `me` carries its own token.
      // A success is honoured only by its own refusal: any other answer (a batch that failed as a
      // whole, a 503) would say nothing of the revocation or the rotation, and fails the test.
      const rotations = batchClient(b());
      const honoured = async (call: Promise<unknown>, refusal: string, accepted: string) => {
        const { status, jwtCode } = await outcome(call);
        return status === 200 ? accepted : status === 401 && jwtCode === refusal ? "ok" : `unexpected ${status} ${jwtCode ?? ""}`;
      };
      const checks = await pool(logins, 16, async (pair, i) => {
        if (results[i]!.status !== 200) return "unknown";
        if (i % 2 === 0) return honoured(client(b(), pair.authToken).me.query(), "TOKEN_REVOKED", "lost revocation");
        return honoured(rotations.rotate.mutate({ refresh: pair.refreshToken }), "TOKEN_REUSED", "reuse accepted");
      });
      const count = (what: string) => checks.filter((check) => check === what).length;
      expect(checks.filter((check) => check.startsWith("unexpected"))).toEqual([]);
      console.log(
        `after the failover: ${count("ok")} successes honoured, ${count("lost revocation")} lost revocations, ${count("reuse accepted")} reused refresh tokens accepted`,
      );
      expect(count("lost revocation")).toBe(0);
      expect(count("reuse accepted")).toBe(0);
      for (const server of servers) expect(server.stderr).not.toContain("UNHANDLED_REJECTION");
    }, 120_000);
  });
});

// Several server processes sharing one real redis-server: propagation of revocations, concurrent
// rotation, and a Redis outage, observed over HTTP as clients see them.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";
import type { SessionRouter } from "./helpers/sessionApp.js";

const SCRIPT = fileURLToPath(new URL("./helpers/sessionServerProcess.ts", import.meta.url));
const SECRET = "multi-process-secret-of-32-bytes!";

interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stderr: string;
}

async function startProcess(redisUrl: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    env: { ...process.env, REDIS_URL: redisUrl, JWT_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started: ServerProcess = { child, url: "", stderr: "" };
  child.stderr?.on("data", (chunk: Buffer) => (started.stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, "line"), once(child, "exit").then(() => [`exited: ${started.stderr}`])])) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return Object.assign(started, { url: `http://127.0.0.1:${port}` });
}

async function stopProcess({ child }: ServerProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  process.kill(child.pid, "SIGTERM");
  await exited;
}

const client = (url: string, token?: string) =>
  createTRPCClient<SessionRouter>({
    links: [httpLink({ url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
  });

/** The HTTP status and jwtCode of a call: 200 on success. */
async function outcome(call: Promise<unknown>): Promise<{ status: number; jwtCode?: string | undefined }> {
  try {
    await call;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) return { status: -1, jwtCode: String(error) };
    const data = error.data as { httpStatus?: number; jwtCode?: string } | undefined;
    return { status: data?.httpStatus ?? -1, jwtCode: data?.jwtCode };
  }
}

describe.runIf(hasRedisServer())("three server processes sharing one redis-server", () => {
  let redis: RedisServer;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    servers = await Promise.all([1, 2, 3].map(() => startProcess(redis.url)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map(stopProcess));
    await redis?.stop();
  });
  const a = () => servers[0]!.url;
  const b = () => servers[1]!.url;
  const c = () => servers[2]!.url;

  it("a logout in one process is refused by another within 100 ms, for a token it had cached", async () => {
    const pair = await client(a()).login.mutate({ sub: "alice" });
    for (let i = 0; i < 3; i++) expect(await client(b(), pair.authToken).me.query()).toBe("alice");
    await client(a(), pair.authToken).logout.mutate();
    const revokedAt = performance.now();
    // Propagation: how long after the logout returned a request to B must be sent to be refused
    // (every later one is refused too). Polled back to back for up to a second.
    let refusedFrom = Infinity;
    let answeredIn = 0;
    while (performance.now() - revokedAt < 1000) {
      const sentAt = performance.now() - revokedAt;
      const result = await outcome(client(b(), pair.authToken).me.query());
      if (result.status === 200) {
        expect(refusedFrom).toBe(Infinity); // once refused, never accepted again
        continue;
      }
      expect(result).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
      if (refusedFrom === Infinity) [refusedFrom, answeredIn] = [sentAt, performance.now() - revokedAt - sentAt];
    }
    console.log(
      `revocation in process A: process B refuses requests sent ${refusedFrom.toFixed(1)} ms after the logout returned (first refusal answered in ${answeredIn.toFixed(1)} ms; bound: 100 ms)`,
    );
    expect(refusedFrom).toBeLessThan(100);
  });

  it("20 concurrent rotations of one refresh token across the processes: exactly one new pair, 19 TOKEN_REUSED", async () => {
    const { refreshToken } = await client(a()).login.mutate({ sub: "bob" });
    const urls = [a(), b(), c()];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(client(urls[i % 3]!).rotate.mutate({ refresh: refreshToken }))));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.filter((result) => result.status !== 200)).toEqual(Array(19).fill({ status: 401, jwtCode: "TOKEN_REUSED" }));
  });

  it("Redis stopped mid-run: only 503 STORE_UNAVAILABLE (no 200 for an unchecked token, no 500); normal service within 2 s of the restart", async () => {
    const pair = await client(a()).login.mutate({ sub: "carol" });
    const spare = await client(a()).login.mutate({ sub: "carol" });
    for (const url of [a(), b(), c()]) for (let i = 0; i < 3; i++) expect(await client(url, pair.authToken).me.query()).toBe("carol");

    const unseen = await client(a()).login.mutate({ sub: "carol" }); // never presented before the outage
    await redis.stop();
    const during: { process: number; call: string; status: number; jwtCode?: string | undefined }[] = [];
    const outageEnds = performance.now() + 1000;
    while (performance.now() < outageEnds) {
      for (const [process, url] of [a(), b(), c()].entries()) {
        const calls = {
          "known token": outcome(client(url, pair.authToken).me.query()),
          "unseen token": outcome(client(url, unseen.authToken).me.query()),
          login: outcome(client(url).login.mutate({ sub: "carol" })),
          rotate: outcome(client(url).rotate.mutate({ refresh: spare.refreshToken })),
        };
        for (const [call, result] of Object.entries(calls)) during.push({ process, call, ...(await result) });
      }
    }
    // A token this process verified before the outage is known unrevoked up to Redis's last
    // instant (a revocation travels ahead of the connection's end on the same socket). Until the
    // process has processed the end of its connections (a few event-loop turns), it may answer
    // one such request from that knowledge; nothing else, and nothing after.
    const fromMemory = during.filter((result) => result.status === 200);
    for (const result of fromMemory) {
      expect(result.call).toBe("known token");
      expect(during.find((other) => other.process === result.process)).toBe(result); // its process's first answer
    }
    const refused = during.filter((result) => result.status !== 200);
    expect([...new Set(refused.map((result) => `${result.status} ${result.jwtCode}`))]).toEqual(["503 STORE_UNAVAILABLE"]);
    console.log(
      `during the outage: ${during.length} calls: ${refused.length} got 503 STORE_UNAVAILABLE, ${fromMemory.length} (first call per process, known token) answered before the process saw the connection end; no 500, no other code`,
    );

    await redis.start();
    const restartedAt = performance.now();
    const recovered = await Promise.all(
      [a(), b(), c()].map(async (url) => {
        for (;;) {
          const [me, login] = await Promise.all([outcome(client(url, pair.authToken).me.query()), outcome(client(url).login.mutate({ sub: "carol" }))]);
          if (me.status === 200 && login.status === 200) return performance.now() - restartedAt;
          expect([me.status, login.status].every((status) => status === 200 || status === 503)).toBe(true);
          if (performance.now() - restartedAt > 5000) return Infinity;
          await sleep(10);
        }
      }),
    );
    console.log(`after the restart the processes served normally after ${recovered.map((ms) => `${ms.toFixed(0)} ms`).join(", ")} (bound: 2000 ms)`);
    for (const ms of recovered) expect(ms).toBeLessThan(2000);
    // And sessions work again end to end: login, rotate, logout, refusal.
    const fresh = await client(b()).login.mutate({ sub: "carol" });
    const next = await client(c()).rotate.mutate({ refresh: fresh.refreshToken });
    await client(a(), next.authToken).logout.mutate();
    expect(await outcome(client(b(), next.authToken).me.query())).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
    for (const server of servers) {
      expect(server.child.exitCode).toBeNull();
      expect(server.stderr).not.toContain("UNHANDLED_REJECTION");
    }
  });
});

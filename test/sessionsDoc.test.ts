// docs/sessions.md's Redis start and shutdown (its `redis.ts` blocks), compiled against the packed
// package and run as a user runs them, against a real redis-server: the server answers through
// the store, SIGTERM ends the process (a SIGTERM handler that only closed Redis would leave the
// HTTP server answering 503 until SIGKILL), and with Redis down the bounded start exits.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager } from "../src/index.js";
import type { DocsCompilation } from "./helpers/compileDocs.js";
import { extractBlocks } from "./helpers/docBlocks.js";
import { FREE_PORT_FOR_3000, startNode } from "./helpers/docProcess.js";
import { docsCompilation } from "./helpers/docsCompilation.js";
import { freePort, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";

const guide = readFileSync(fileURLToPath(new URL("../docs/sessions.md", import.meta.url)), "utf8");
const blocks = extractBlocks(guide).filter((block) => block.file === "redis.ts");

// Prints {"port":N} once the module's server listens (after Redis is up).
const DRIVER = `${FREE_PORT_FOR_3000}
void import("./redis.js");
console.log(JSON.stringify({ port: await port }));
`;

describe.runIf(hasRedisServer())("docs/sessions.md: the Redis start and shutdown, run against a real redis-server", () => {
  let compiled: DocsCompilation;
  let redis: RedisServer;
  let driver: string;
  const secret = randomBytes(32).toString("base64url");
  beforeAll(async () => {
    compiled = await docsCompilation(); // every doc in one program, shared with docs.test.ts
    driver = join(dirname(compiled.emitted("docs/sessions.md", "redis.ts")), "driver.mjs");
    writeFileSync(driver, DRIVER);
    redis = await startRedisServer();
  }, 300_000);
  afterAll(async () => {
    await redis?.stop();
    compiled?.dispose();
  });

  it("compiles", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(compiled.problems.get("docs/sessions.md")).toEqual([]);
  });

  // The two runs below are processes of their own (one with Redis, one with nothing at REDIS_URL):
  // they run concurrently, the second's 5 s start-up bound beside the first.
  it.concurrent("serves through the Redis store, and SIGTERM ends the process with code 0 within 2 s", { timeout: 30_000 }, async ({ expect }) => {
    const server = startNode(driver, { REDIS_URL: redis.url, JWT_SECRET: secret }, { timeout: 20_000 });
    const { port } = JSON.parse(await server.line(/^\{"port"/)) as { port: number };
    const token = await new AuthManager({ issuer: "my-api", authType: "HS256", secret }).authToken("alice");
    // A keep-alive connection stays open after this call: shutting down must not wait for it.
    const response = await fetch(`http://127.0.0.1:${port}/me`, { headers: { authorization: `Bearer ${token.signed}` } });
    expect({ status: response.status, body: (await response.json()) as unknown }).toMatchObject({ status: 200, body: { result: { data: "alice" } } });

    const sent = performance.now();
    server.signal("SIGTERM");
    const { code, signal, stderr } = await server.exited;
    const elapsed = performance.now() - sent;
    console.info(`docs/sessions.md shutdown: SIGTERM to exit in ${elapsed.toFixed(0)} ms`);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(elapsed).toBeLessThan(2_000);
  });

  it.concurrent(
    "with nothing listening at REDIS_URL, the bounded start exits with code 1 instead of waiting for ever",
    { timeout: 30_000 },
    async ({ expect }) => {
      const stopped = `redis://127.0.0.1:${await freePort()}`;
      const started = performance.now();
      const { code, signal, stdout, stderr } = await startNode(driver, { REDIS_URL: stopped, JWT_SECRET: secret }, { timeout: 20_000 }).exited;
      const elapsed = performance.now() - started;
      console.info(`docs/sessions.md start with Redis down: exit after ${elapsed.toFixed(0)} ms`);
      expect({ code, signal, stdout: stdout.trim() }).toEqual({ code: 1, signal: null, stdout: "" });
      expect(stderr).toContain("redis: unreachable at start-up, exiting");
      expect(stderr).toContain("redis: connect ECONNREFUSED");
    },
  );
});

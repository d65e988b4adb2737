// The server processes of the multi-process tests: each runs sessionServerProcess.ts (the session
// app over HTTP on 127.0.0.1, its store in Redis), spawned with Node and stopped by its pid.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { expect, it } from "vitest";
import { jwtErrorCode } from "trpc-jwt/client";
import type { SessionRouter } from "./sessionApp.js";
import { subscriptionLink } from "./subscriptionLink.js";
import { bundled } from "../../bench/bundled.js";

const SCRIPT = "test/helpers/sessionServerProcess.ts";
const SECRET = "multi-process-secret-of-32-bytes!";

/** A running server process: its HTTP url, and what it wrote on stderr. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stderr: string;
}

/** Each script's bundle, built once per worker (the first start of it waits). */
const bundles = new Map<string, Promise<string>>();

/**
 * Starts one server process; `env`: REDIS_URL (one Redis) or REDIS_CLUSTER (comma-separated node
 * urls), and optionally ROTATION_GRACE and STORE_TIMEOUT. Resolves once it listens. `script`:
 * another server script that prints {"port":N} the same way (a path from the repository root,
 * as "test/helpers/idpAppProcess.ts").
 *
 * The script runs bundled by esbuild (bench/bundled.ts), as compiled JavaScript on a plain `node`:
 * under `--import tsx` each start compiled the app and its imports again, 2.4 to 2.8 s of CPU
 * per process on 2 cores, against 0.74 to 0.77 s for the bundle (ten processes in the suite).
 */
export async function startProcess(env: Record<string, string>, script = SCRIPT): Promise<ServerProcess> {
  let bundle = bundles.get(script);
  if (bundle === undefined) bundles.set(script, (bundle = bundled(script)));
  const child = spawn(process.execPath, [await bundle], {
    env: { ...process.env, ...env, JWT_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started: ServerProcess = { child, url: "", stderr: "" };
  child.stderr?.on("data", (chunk: Buffer) => (started.stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, "line"), once(child, "exit").then(() => [`exited: ${started.stderr}`])])) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return Object.assign(started, { url: `http://127.0.0.1:${port}` });
}

/** Stops a server process by its pid (SIGTERM) and waits for its exit. */
export async function stopProcess({ child }: ServerProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  process.kill(child.pid, "SIGTERM");
  await exited;
}

/** A tRPC client of the session app at `url`, sending `token` as a bearer token. */
export const client = (url: string, token?: string) =>
  createTRPCClient<SessionRouter>({
    links: [httpLink({ url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
  });

/**
 * A tRPC client of the session app at `url` that batches the calls made in the same tick into one
 * HTTP request, without a bearer token: for the thousands of logins and rotations a test makes to
 * set up or check what it measures. Each call the server answers keeps its own result and status;
 * a request that fails as a whole fails each of its calls without a status (`outcome`: -1).
 */
export const batchClient = (url: string) => createTRPCClient<SessionRouter>({ links: [httpBatchLink({ url, transformer: superjson, maxItems: 50 })] });

/** The HTTP status and jwtCode of a call: 200 on success. */
export async function outcome(call: Promise<unknown>): Promise<{ status: number; jwtCode?: string | undefined }> {
  try {
    await call;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) return { status: -1, jwtCode: String(error) };
    const data = error.data as { httpStatus?: number; jwtCode?: string } | undefined;
    return { status: data?.httpStatus ?? -1, jwtCode: data?.jwtCode };
  }
}

/**
 * The session tests every multi-process set-up runs (one Redis, a cluster): a logout in one
 * process refused by another within 100 ms, and one refresh token rotated concurrently across
 * them. `servers()`: the urls of at least two running server processes.
 */
export function sessionProcessTests(servers: () => string[]): void {
  const a = () => servers()[0]!;
  const b = () => servers()[1]!;

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

  it("an API key revoked in one process is refused by the others (latency measured), and its open subscription there ends", async () => {
    const urls = servers();
    const others = urls.slice(1);
    const { key, id } = await client(a()).createKey.mutate({ sub: "ci" });
    for (const url of others) for (let i = 0; i < 3; i++) expect(await client(url, key).keyMe.query()).toBe("ci");
    const watched = others.at(-1)!;
    const { link, close } = subscriptionLink<SessionRouter>({ httpUrl: watched, wsUrl: "" }, "httpSubscriptionLink (SSE)", key);
    let onStarted!: () => void;
    const started = new Promise<void>((resolve) => (onStarted = resolve));
    const ended = new Promise<{ code: string | undefined; atMs: number }>((resolve) => {
      createTRPCClient<SessionRouter>({ links: [link] }).keyIdle.subscribe(undefined, {
        onStarted,
        onError: (error) => resolve({ code: jwtErrorCode(error), atMs: performance.now() }),
      });
    });
    try {
      await started;
      await client(a()).revokeKey.mutate({ id });
      const revokedAt = performance.now();
      // Each other process, polled back to back: when it first refuses (a generous bound for a
      // loaded machine; the latency itself is measured by `npm run bench -- apikeys`).
      const refusedAfter = await Promise.all(
        others.map(async (url) => {
          for (;;) {
            const sentAt = performance.now() - revokedAt;
            const result = await outcome(client(url, key).keyMe.query());
            if (result.status !== 200) return (expect(result).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" }), sentAt);
            if (sentAt > 2000) return Infinity;
          }
        }),
      );
      const ending = await Promise.race([ended, new Promise<undefined>((resolve) => setTimeout(resolve, 5000))]);
      const endedAfter = ending === undefined ? Infinity : ending.atMs - revokedAt;
      console.log(
        `API key revoked in process A: refused by ${refusedAfter.map((ms) => `${ms.toFixed(1)} ms`).join(" and ")} after revoke returned; the SSE subscription ended ${endedAfter.toFixed(0)} ms after (under load)`,
      );
      for (const ms of refusedAfter) expect(ms).toBeLessThan(1000);
      expect(ending?.code).toBe("TOKEN_REVOKED");
      expect(endedAfter).toBeLessThan(1000);
    } finally {
      await close();
    }
  });

  it("20 concurrent rotations of one refresh token across the processes: exactly one new pair, 19 TOKEN_REUSED", async () => {
    const { refreshToken } = await client(a()).login.mutate({ sub: "bob" });
    const urls = servers();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(client(urls[i % urls.length]!).rotate.mutate({ refresh: refreshToken }))));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.filter((result) => result.status !== 200)).toEqual(Array(19).fill({ status: 401, jwtCode: "TOKEN_REUSED" }));
  });
}

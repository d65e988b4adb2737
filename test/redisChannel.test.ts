// redisStore's revocation channel: a process that has heard nothing on it for 1.5 s stops
// trusting its remembered "not revoked" verdicts, whatever the reason it heard nothing. After a
// turn of the event loop that ran longer than that (a burst of requests on a loaded machine),
// heartbeats may be waiting on the socket unread, but so may a revocation: the requests of the
// next turn are read in the same poll phase as they are, so the channel counts as down before any
// of them is served, and comes back with the first message read. A false "down" costs reads of
// the store; a false "up" would accept revoked tokens. Real redis-server; heartbeats from another
// process (redis-cli), or from this one.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStore } from "trpc-jwt/redis";
import { connectRedis, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs nothing else for `ms`: the event loop stays in this turn. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe.runIf(hasRedisServer())("redisStore's revocation channel", () => {
  let redis: RedisServer;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    cleanup.push(() => redis.stop());
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  });

  /** A store's channel, up; what it tells its listener, in order. */
  async function channelStates(prefix: string) {
    const client = await connectRedis(redis.url);
    const store = redisStore(client, { prefix });
    const states: string[] = [];
    const stop = store.subscribe!({ event: () => undefined, up: () => states.push("up"), down: () => states.push("down") });
    cleanup.push(
      async () => stop(),
      () => store.close(),
      () => client.close(),
    );
    for (let waited = 0; states.length === 0 && waited < 5_000; waited += 20) await sleep(20);
    expect(states).toEqual(["up"]);
    return states;
  }

  it("counts as down after a 2 s turn of the event loop, though heartbeats of another process wait on its socket, and up at the first one read", async () => {
    const states = await channelStates("busy-loop:");
    // Another process publishing a heartbeat every 100 ms for 4 s; it prints, for each, how many
    // subscribers received it.
    const publisher = spawn("redis-cli", ["-p", String(redis.port), "-r", "40", "-i", "0.1", "PUBLISH", "busy-loop:revoked", "h:"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    cleanup.push(async () => publisher.kill());
    let received = "";
    publisher.stdout.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const exited = new Promise<unknown>((resolve) => {
      publisher.on("exit", resolve);
      publisher.on("error", resolve);
    });
    await sleep(300); // its first heartbeats heard
    busy(2_000);
    await sleep(300);
    expect(states).toEqual(["up", "down", "up"]);
    // The heartbeats really were there: all 40 published, each to this store's subscriber, the
    // whole 2 s turn long.
    expect(await exited).toBe(0);
    expect(received.trim().split(/\s+/)).toEqual(Array.from({ length: 40 }, () => "1"));
  });

  it("counts as down within 2 s when Redis stops answering (paused), and up again when it answers", async () => {
    const states = await channelStates("paused:");
    await sleep(200);
    const pid = redis.pid;
    expect(pid).toBeGreaterThan(0); // never process.kill(-1): that signals every process of the user
    process.kill(pid, "SIGSTOP");
    const resume = async () => void process.kill(pid, "SIGCONT");
    cleanup.push(resume);
    const pausedAt = performance.now();
    while (states.length === 1 && performance.now() - pausedAt < 5_000) await sleep(10);
    const downAfterMs = performance.now() - pausedAt;
    await resume();
    for (let waited = 0; states.length === 2 && waited < 5_000; waited += 20) await sleep(20);
    expect(states).toEqual(["up", "down", "up"]);
    // The last sign of life came at most a heartbeat (0.5 s) before the pause.
    expect(downAfterMs).toBeLessThan(2_000);
  });
});

// redisStore's revocation channel on a busy process: a turn of the event loop that runs long
// (a burst of requests, a large JSON body) delays this process's reading of the heartbeats other
// processes publish, not their arrival. The channel must judge its silence on what has arrived,
// not on what the process has had time to read: a false "down" drops every remembered verdict,
// and the busy process then asks Redis on every request, just when it is busiest. Real
// redis-server; the heartbeats come from another process (redis-cli), or from this one.
import { spawn, type ChildProcess } from "node:child_process";
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

  /** Another process publishing a heartbeat on `channel` every 100 ms, `count` times. */
  function heartbeats(channel: string, count: number): ChildProcess {
    const child = spawn("redis-cli", ["-p", String(redis.port), "-r", String(count), "-i", "0.1", "PUBLISH", channel, "h:"], { stdio: "ignore" });
    cleanup.push(async () => child.kill());
    return child;
  }

  it("stays up through a 2 s turn of the event loop while heartbeats keep arriving", async () => {
    const states = await channelStates("busy-loop:");
    const publisher = heartbeats("busy-loop:revoked", 40);
    await sleep(300); // the first heartbeats heard
    busy(2_000); // longer than the 1.5 s of silence that counts as down; the heartbeats queue on the socket
    await sleep(300);
    expect(states).toEqual(["up"]);
    publisher.kill();
  });

  it("stays up through a 2 s turn of the event loop with no other process: its own heartbeat, sent after the turn, answers", async () => {
    const states = await channelStates("own-heartbeat:");
    busy(2_000); // no heartbeat could go out meanwhile: the first check after the turn finds 2 s of silence
    await sleep(300);
    expect(states).toEqual(["up"]);
  });

  it("goes down within 2 s when Redis stops answering (paused), and up again when it answers", async () => {
    const states = await channelStates("paused:");
    await sleep(200);
    const pid = redis.pid;
    process.kill(pid, "SIGSTOP");
    const resume = async () => void process.kill(pid, "SIGCONT");
    cleanup.push(resume);
    const pausedAt = performance.now();
    while (states.length === 1 && performance.now() - pausedAt < 5_000) await sleep(10);
    const downAfterMs = performance.now() - pausedAt;
    await resume();
    for (let waited = 0; states.length === 2 && waited < 5_000; waited += 20) await sleep(20);
    expect(states).toEqual(["up", "down", "up"]);
    // The last sign of life came at most a heartbeat interval before the pause.
    expect(downAfterMs).toBeLessThan(2_000);
  });
});

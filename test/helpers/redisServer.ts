import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createClient } from "redis";

/** A real `redis-server` on 127.0.0.1, persistence off; stopped (by pid) with `stop()`. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: persistence is off). */
  start(): Promise<void>;
}

const INSTALL_HINT = "redis-server not found: install it (Debian/Ubuntu: sudo apt-get install -y redis-server) to run the Redis tests";

/**
 * Whether `redis-server` can be run. Under `CI=true` its absence is an error (a CI run must not
 * skip the Redis tests); elsewhere it prints how to install it and the caller skips.
 */
export function hasRedisServer(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v redis-server"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env["CI"] === "true") throw new Error(`${INSTALL_HINT} (CI=true: missing servers fail the run)`);
    console.warn(INSTALL_HINT);
    return false;
  }
}

/** A port the OS says is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `redis-server` on a free loopback port and waits until it accepts connections;
 * `extraArgs` are added to its command line (e.g. `["--enable-debug-command", "local"]`).
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--loglevel",
      "warning",
      ...extraArgs,
    ];
    const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    let output = "";
    started.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`redis-server exited at start: ${output}`);
      if (await answersPing(port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null || running.pid === undefined) return;
    const exited = once(running, "exit");
    process.kill(running.pid, "SIGTERM");
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    stop,
    start,
  };
}

async function answersPing(port: number): Promise<boolean> {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** A connected node-redis client for `url`, with the error listener node-redis requires. */
export async function connectRedis(url: string) {
  const client = createClient({ url });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient, createCluster } from "redis";
import { freePort, startRedisServer, type RedisServer } from "./redisServer.js";

const run = promisify(execFile);

/** A Redis Cluster of 3 masters and 3 replicas on 127.0.0.1, each node its own `redis-server`. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `redis://127.0.0.1:<port>` of every node, for `createCluster({ rootNodes })`. */
  readonly urls: readonly string[];
  /** The nodes that are masters now (asked of a live node). */
  masters(): Promise<RedisServer[]>;
  /** Waits until every live node says `cluster_state:ok`, each of 3 masters has a replica online, and writes work. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Stops every node by its pid and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts 6 `redis-server --cluster-enabled yes` on free loopback ports (bus ports chosen free too,
 * `--cluster-port`), joins them with `redis-cli --cluster create --cluster-replicas 1`, and waits
 * until the cluster is healthy. A node timeout of 1 s makes a replica take over about 2 s after
 * its master dies.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "trpc-jwt-cluster-"));
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const args = ["--cluster-enabled", "yes", "--cluster-port", String(await freePort()), "--cluster-node-timeout", "1000"];
      args.push("--cluster-config-file", `nodes-${i}.conf`, "--dir", dir, "--cluster-replica-validity-factor", "0");
      args.push("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--maxmemory-policy", "noeviction");
      nodes.push(await startRedisServer(args));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"]);
  } catch (error) {
    for (const node of nodes) await node.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const urls = nodes.map((node) => node.url);
  const live = () => nodes.filter((node) => node.pid > 0 && isRunning(node.pid));

  async function ask<T>(node: RedisServer, args: string[]): Promise<T> {
    const client = createClient({ url: node.url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
    client.on("error", () => undefined);
    try {
      await client.connect();
      return await client.sendCommand<T>(args);
    } finally {
      if (client.isOpen) client.destroy();
    }
  }

  const cluster: RedisCluster = {
    nodes,
    urls,
    async masters() {
      const text = String(await ask<string>(live()[0]!, ["CLUSTER", "NODES"]));
      const ports = text
        .split("\n")
        .map((line) => line.split(" "))
        .filter((fields) => (fields[2] ?? "").split(",").includes("master") && !(fields[2] ?? "").includes("fail"))
        .map((fields) => Number(/:(\d+)@/.exec(fields[1] ?? "")?.[1]));
      return nodes.filter((node) => ports.includes(node.port) && isRunning(node.pid));
    },
    async healthy(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(live().map((node) => ask<string>(node, ["CLUSTER", "INFO"]).then(String, () => "")));
        const masters = await cluster.masters().catch(() => []);
        const replicated = await Promise.all(
          masters.map((node) =>
            ask<string>(node, ["INFO", "replication"]).then(
              (info) => /slave0:.*state=online/.test(String(info)),
              () => false,
            ),
          ),
        );
        const ok = states.every((info) => info.includes("cluster_state:ok") && info.includes("cluster_slots_ok:16384"));
        if (ok && masters.length === 3 && replicated.every(Boolean)) {
          // And a cluster client can write to every master (a replica that took over answers).
          const client = createCluster({ rootNodes: live().map((node) => ({ url: node.url })) });
          client.on("error", () => undefined);
          try {
            await client.connect();
            await Promise.all(Array.from({ length: 32 }, (_, i) => client.set(`health:{${i}}`, "1")));
            return;
          } catch {
            // not yet
          } finally {
            client.destroy();
          }
        }
        if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      for (const node of nodes) await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.healthy();
  return cluster;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A connected node-redis cluster client over `urls`, reconnecting every 100 ms at most. */
export async function connectCluster(urls: readonly string[]) {
  const cluster = createCluster({
    rootNodes: urls.map((url) => ({ url })),
    defaults: { socket: { reconnectStrategy: (retries: number) => Math.min(retries * 50, 100), connectTimeout: 1000 } },
  });
  cluster.on("error", () => undefined);
  await cluster.connect();
  return cluster;
}

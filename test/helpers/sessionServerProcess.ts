// One server process of the multi-process tests: the session app over HTTP on 127.0.0.1, its
// store in the Redis at REDIS_URL, with WebSocket calls on the same port, or in the Redis Cluster whose nodes REDIS_CLUSTER lists
// (comma-separated urls). ROTATION_GRACE (seconds) and STORE_TIMEOUT (ms) set those options.
// Prints {"port":N} on stdout once listening; stops on SIGTERM. An unhandled rejection is
// reported on stderr and ends the process with code 70.
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import { listenInProcess } from "./listenInProcess.js";
import { createClient, createCluster } from "redis";
import { AuthManager } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { createSessionApp } from "./sessionApp.js";

process.on("unhandledRejection", () => {
  process.stderr.write("UNHANDLED_REJECTION\n");
  process.exit(70);
});

// Reconnect attempts at most 200 ms apart (node-redis backs off to 2 s by default).
const socket = { reconnectStrategy: (retries: number) => Math.min(retries * 50, 200), connectTimeout: 1000 };
const clusterUrls = process.env["REDIS_CLUSTER"];
const redis =
  clusterUrls === undefined
    ? createClient({ url: process.env["REDIS_URL"] ?? "", socket })
    : createCluster({ rootNodes: clusterUrls.split(",").map((url) => ({ url })), defaults: { socket } });
redis.on("error", () => undefined); // node-redis needs a listener; the store reports outages as 503s
await redis.connect();
const timeout = process.env["STORE_TIMEOUT"];
const store = redisStore(redis, timeout === undefined ? {} : { timeout: Number(timeout) });
const grace = process.env["ROTATION_GRACE"];
const auth = new AuthManager({
  issuer: "multi-process",
  authType: "HS256",
  secret: process.env["JWT_SECRET"] ?? "",
  store,
  ...(grace === undefined ? {} : { rotationGrace: Number(grace) }),
});
const app = createSessionApp(auth);
const server = createHTTPServer(app);
const wss = new WebSocketServer({ server });
applyWSSHandler({ wss, ...app });
listenInProcess(server, wss, () => Promise.all([store.close(), redis.close().catch(() => undefined)]));

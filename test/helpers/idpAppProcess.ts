// One app process of the back-channel logout test: an API guarded by an identity provider's
// access tokens (RemoteIssuer at ISSUER, its revocations in the Redis at REDIS_URL), over HTTP,
// SSE and WebSocket on 127.0.0.1, with the back-channel logout endpoint at /backchannel-logout
// for client CLIENT_ID. Prints {"port":N} on stdout once listening; stops on SIGTERM.
import { createServer } from "node:http";
import { initTRPC } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { createClient } from "redis";
import superjson from "superjson";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, RemoteIssuer } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { WebSocketServer } from "ws";
import { listenInProcess } from "./listenInProcess.js";
import { idle } from "./endingSubscription.js";

const env = (name: string) => process.env[name] ?? "";
const redis = createClient({ url: env("REDIS_URL"), socket: { reconnectStrategy: (retries: number) => Math.min(retries * 50, 200) } });
redis.on("error", () => undefined); // the store reports outages as 503s
await redis.connect();
const store = redisStore(redis);
const idp = new RemoteIssuer({ issuer: env("ISSUER"), jwksUri: `${env("ISSUER")}/jwks`, audience: env("AUDIENCE"), store });
const logout = idp.backchannelLogout({ clientId: env("CLIENT_ID") });

const createContext = createJwtContext(idp);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { authedProcedure } = createJwtProcedures(t);
export const idpAppRouter = t.router({
  me: authedProcedure.query(({ ctx }) => ({ sub: ctx.token.sub, sid: ctx.token.claims["sid"] })),
  idle: authedProcedure.subscription(idle),
});

const trpc = createHTTPHandler({ router: idpAppRouter, createContext });
const server = createServer((req, res) => (req.url === "/backchannel-logout" ? void logout.node(req, res) : trpc(req, res)));
const wss = new WebSocketServer({ server });
applyWSSHandler({ wss, router: idpAppRouter, createContext });
listenInProcess(server, wss, () => Promise.all([store.close(), redis.close().catch(() => undefined)]));

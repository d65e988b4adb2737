// Sessions (issue 11): what the revocation check adds to a guarded call on a repeated token, with
// memoryStore() and with redisStore() on a real redis-server, against a public call. The last
// row is the mechanism not chosen (Redis asked on every request), kept to show why.
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, type TokenStore } from "trpc-jwt";
import { redisStore, type RedisTokenStore } from "trpc-jwt/redis";
import { connectRedis, hasRedisServer, startRedisServer } from "../test/helpers/redisServer.js";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";

export const SESSIONS_GROUP = "tRPC call with a token store, repeated token";
const SECRET = "benchmark-secret-0123456789abcdef";

/** One in-process tRPC app on its own manager; `call(path)` goes through fetchRequestHandler. */
async function app(store: TokenStore | undefined) {
  const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET, ...(store === undefined ? {} : { store }) });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({ hello: t.procedure.query(() => "hello"), me: authedProcedure.query(({ ctx }) => ctx.token.sub) });
  const headers = { authorization: `Bearer ${(await auth.login("alice")).authToken.signed}` };
  return async (path: string) => {
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
}

/** The rows, plus how to stop what they started. Without redis-server, the memory rows only. */
export async function sessionRows(options: GroupOptions): Promise<Row[]> {
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const plain = await app(undefined);
    const memory = await app(memoryStore());
    const cases: Case[] = [
      ["public procedure", () => plain("hello")],
      ["public procedure (again: noise gauge)", () => plain("hello")],
      ["authedProcedure, no store", () => plain("me")],
      ["authedProcedure, memoryStore()", () => memory("me")],
    ];
    if (hasRedisServer()) {
      const server = await startRedisServer();
      cleanup.push(() => server.stop());
      const open = async (pubsub: boolean) => {
        const client = await connectRedis(server.url);
        const store: RedisTokenStore = redisStore(client, { pubsub });
        cleanup.push(
          () => client.close(),
          () => store.close(),
        );
        return app(store);
      };
      const [subscribed, asked] = [await open(true), await open(false)];
      await new Promise((resolve) => setTimeout(resolve, 200)); // the pub/sub channel comes up
      cases.push(
        ["authedProcedure, redisStore()", () => subscribed("me")],
        ["authedProcedure, redisStore({ pubsub: false }): Redis asked per request", () => asked("me")],
      );
    }
    return await measureGroup(SESSIONS_GROUP, cases, options);
  } finally {
    for (const close of cleanup.reverse()) await close();
  }
}

/** The target lines for the summary: each ratio with its spread over the blocks of cycles. */
export function sessionTargets(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>, digits?: number) => string): string[] {
  const row = (prefix: string) => rows.find((r) => r.group === SESSIONS_GROUP && r.name.startsWith(prefix));
  const publicCall = row("public procedure")!;
  const line = (name: string, target: string) => {
    const measured = row(name);
    return measured === undefined
      ? `- ${name}: not measured (redis-server not found)`
      : `- ${name} costs ${spread(ratio(publicCall, measured), 3)} a public call${target}`;
  };
  return [
    line("authedProcedure, no store", ""),
    line("authedProcedure, memoryStore()", " (target <= 1.15)"),
    line("authedProcedure, redisStore()", " (target <= 1.25)"),
    line("authedProcedure, redisStore({ pubsub: false })", " (the mechanism not chosen: a Redis round trip per request)"),
  ];
}

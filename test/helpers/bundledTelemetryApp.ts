// An app as it is deployed bundled (test/bundledOpenTelemetry.test.ts): trpc-jwt, tRPC and the
// OpenTelemetry API and SDK in one esbuild bundle, run from a directory without node_modules.
// It registers the SDK with its own, bundled copy of the API, makes an authed call and a refused
// one, each in a server span, and prints what the SDK recorded as one line of JSON.
import { trace } from "@opentelemetry/api";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";
import { startOpenTelemetrySdk } from "./openTelemetrySdk.js";

const sdk = await startOpenTelemetrySdk();
const auth = new AuthManager({ issuer: "bundled-app", authType: "HS256", secret: "bundled-app-secret-0123456789abcdef" });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const { authedProcedure } = createJwtProcedures(t);
const router = t.router({ me: authedProcedure.query(({ ctx }) => ctx.token.sub) });

const tracer = trace.getTracer("bundled-app");
const call = (headers: Record<string, string>) =>
  tracer.startActiveSpan("GET /trpc/me", async (span) => {
    try {
      const response = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request("http://localhost/trpc/me", { headers }) });
      return response.status;
    } finally {
      span.end();
    }
  });

const statuses = [await call({ authorization: `Bearer ${(await auth.authToken("alice")).signed}` }), await call({})];
const spans = sdk.spans().map(({ attributes, events }) => ({ attributes, events: events.map(({ name, attributes }) => ({ name, attributes })) }));
const refusals = await sdk.count("trpc_jwt.refusals", { code: "TOKEN_MISSING" });
await sdk.shutdown();
console.log(JSON.stringify({ statuses, spans, refusals }));

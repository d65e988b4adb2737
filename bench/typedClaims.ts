// Typed claims (issue 13): a guarded tRPC call whose manager has claims and scope schemas, on a
// repeated token, against a public call in the same group. The schemas run once per verified
// token, so a repeated token costs what an untyped authedProcedure call costs.
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";

const GROUP = "tRPC call with claims and scope schemas, repeated token";
const PUBLIC_ROW = "public procedure";
const TYPED_ROW = "authedProcedure, claims schema + requireToken on a typed claim";

/** The group, measured side by side through fetchRequestHandler. */
export async function typedClaimsRows(options: GroupOptions): Promise<Row[]> {
  const auth = new AuthManager({
    issuer: "bench",
    authType: "HS256",
    secret: "benchmark-secret-0123456789abcdef",
    claims: z.object({ org: z.object({ id: z.string() }), roles: z.array(z.string()) }),
    scope: z.object({ admin: z.boolean().optional() }),
  });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    org: authedProcedure.use(requireToken({ claims: { roles: ["dev"] } })).query(({ ctx }) => ctx.token.claims.org.id),
  });
  const token = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
  const headers = { authorization: `Bearer ${token.signed}` };
  const call = async (path: string) => {
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
  const cases: Case[] = [
    [PUBLIC_ROW, () => call("hello")],
    // The same call again: how far two measurements of one thing differ in this run.
    [`${PUBLIC_ROW} (again: noise gauge)`, () => call("hello")],
    [TYPED_ROW, () => call("org")],
  ];
  return measureGroup(GROUP, cases, options);
}

/** The target line: the typed guarded call against the public one (target <= 1.2). */
export function typedClaimsTarget(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>, digits?: number) => string): string {
  const row = (name: string) => rows.find((candidate) => candidate.group === GROUP && candidate.name === name)!;
  const cost = ratio(row(PUBLIC_ROW), row(TYPED_ROW));
  return `- a guarded call with claims and scope schemas costs ${spread(cost, 3)} a public procedure call on a repeated token (target <= 1.2)`;
}

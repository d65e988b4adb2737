#!/usr/bin/env bash
# Installs the packed tarball into a scratch ESM project, as a user would, and proves that both
# entries import at runtime and typecheck with full types under strict NodeNext settings.
set -euo pipefail
root=$(pwd)
scratch=$(mktemp -d /tmp/trpc-jwt-scratch.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
cd "$scratch"
cat > package.json <<'JSON'
{ "name": "scratch", "private": true, "type": "module" }
JSON
ver() { node -p "require('$root/node_modules/$1/package.json').version"; }
npm install --no-audit --no-fund --prefer-offline --silent "./$tarball" \
  "@trpc/server@$(ver @trpc/server)" "@trpc/client@$(ver @trpc/client)" "zod@$(ver zod)"
cat > main.ts <<'TS'
import { initTRPC } from "@trpc/server";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, type JwtToken } from "trpc-jwt";
import { createTokenStore, jwtErrorCode } from "trpc-jwt/client";

const auth = new AuthManager({ issuer: "scratch", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, requireToken } = createJwtProcedures(t);
const router = t.router({
  user: authedProcedure
    .input(z.object({ username: z.string() }))
    .use(requireToken({ input: { sub: "username" } }))
    .query(({ ctx }) => { const token: JwtToken = ctx.token; return token.sub; }),
  // @ts-expect-error "nope" is not a path of the input
  bad: authedProcedure.input(z.object({ username: z.string() })).use(requireToken({ input: { sub: "nope" } })).query(() => 1),
});
const signed = (await auth.authToken("alice")).signed;
const caller = router.createCaller(createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${signed}` } }) }));
if ((await caller.user({ username: "alice" })) !== "alice") throw new Error("wrong subject");
createTokenStore();
if (typeof jwtErrorCode !== "function") throw new Error("client entry incomplete");
console.log("scratch project: imports, types and a guarded call work");
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022",
  "lib": ["ES2023", "DOM", "ESNext.Disposable"], "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true, "outDir": "out", "types": [] } }
JSON
"$root/node_modules/.bin/tsc" -p .
node out/main.js

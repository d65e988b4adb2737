#!/usr/bin/env bash
# Installs the packed tarball into a scratch ESM project, as a user would, and proves that both
# entries import at runtime and typecheck with full types under strict NodeNext settings, and that
# a stack trace through the package resolves (source maps) to a shipped, readable source file.
# Then: `npm pack` without a build refuses (prepack guard), and installed from a git URL (built by
# `prepare`) the README's Quick start compiles and runs.
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
// The Redis entry loads without the optional `redis` package installed (as here): it only uses
// the client it is given.
import { redisStore } from "trpc-jwt/redis";
// The secondary entries: the matching helpers, and the types-only entry.
import { matchScope } from "trpc-jwt/policy";
import type { TokenContext } from "trpc-jwt/types";

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
if (typeof redisStore !== "function") throw new Error("redis entry incomplete");
if (!matchScope("read", "write read")) throw new Error("policy entry incomplete");
const context: TokenContext = { token: await auth.verifyToken(signed, "auth") };
if (context.token.sub !== "alice") throw new Error("types entry incomplete");
console.log("scratch project: imports, types and a guarded call work");

// The store conformance suite loads without any test runner installed (none is, here) and runs
// on a minimal one: the it/expect a user of another runner would hand in.
import { memoryStore } from "trpc-jwt";
import { storeConformance } from "trpc-jwt/testing";
const same = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === "object" && typeof b === "object" && a !== null && b !== null &&
    Object.keys({ ...a, ...b }).every((key) => same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])));
const cases: [string, () => Promise<void>][] = [];
const check = (ok: boolean, what: string) => { if (!ok) throw new Error(what); };
const store = memoryStore();
storeConformance({ open: async () => store }, {
  it: (name, test) => cases.push([name, test]),
  expect: (actual) => ({
    toBe: (expected) => check(actual === expected, `${String(actual)} to be ${String(expected)}`),
    toEqual: (expected) => check(same(actual, expected), `${JSON.stringify(actual)} to equal ${JSON.stringify(expected)}`),
    toBeUndefined: () => check(actual === undefined, `${JSON.stringify(actual)} to be undefined`),
    toBeGreaterThan: (n) => check((actual as number) > n, `${String(actual)} > ${n}`),
    toBeGreaterThanOrEqual: (n) => check((actual as number) >= n, `${String(actual)} >= ${n}`),
    toBeLessThan: (n) => check((actual as number) < n, `${String(actual)} < ${n}`),
    toHaveLength: (n) => check((actual as unknown[]).length === n, `length ${n}`),
  }),
});
for (const [name, test] of cases) await test().catch((error: unknown) => { throw new Error(`storeConformance: ${name}: ${String(error)}`); });
console.log(`trpc-jwt/testing: the store conformance suite (${cases.length} cases) passes memoryStore() without a test runner installed`);
TS
# Without Node's types: the package's declarations must not need @types/node (nor skipLibCheck).
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022",
  "lib": ["ES2023", "DOM", "ESNext.Disposable"], "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true, "outDir": "out", "types": [] } }
JSON
"$root/node_modules/.bin/tsc" -p .
node out/main.js

# A configuration error thrown inside the package: with source maps on, its frames must name a
# file that the package ships (src/*.ts), at the line that throws.
cat > stack.mjs <<'JS'
import { existsSync, readFileSync } from "node:fs";
import { AuthManager } from "trpc-jwt";
let stack = "";
try { new AuthManager({ issuer: "", authType: "HS256", secret: "s".repeat(32) }); } catch (error) { stack = error.stack; }
const frame = /\((\/[^()]*\/node_modules\/trpc-jwt\/[^():]+):(\d+):\d+\)/.exec(stack);
if (!frame) throw new Error(`no frame inside trpc-jwt:\n${stack}`);
const [, file, line] = frame;
if (!file.endsWith(".ts") || !existsSync(file)) throw new Error(`stack frame does not resolve to a shipped source: ${file}`);
const text = readFileSync(file, "utf8").split("\n")[Number(line) - 1];
if (!text.includes("JwtConfigError")) throw new Error(`${file}:${line} is not the throwing line: ${text}`);
console.log(`stack traces resolve: ${file.slice(file.indexOf("trpc-jwt/"))}:${line}: ${text.trim()}`);
JS
node --enable-source-maps stack.mjs

# Without a build, `npm pack` must refuse (prepack guard) rather than pack a package without dist/.
git clone --quiet "$root" "$scratch/clone"
if (cd "$scratch/clone" && npm pack --dry-run >/dev/null 2>&1); then
  echo "npm pack without a build did not fail (prepack guard)" >&2; exit 1
fi
echo "npm pack without dist/ refuses: prepack guard works"

# Installed from a git URL, as someone outside the repository would: npm clones the commit, runs
# `prepare` (the build) and installs the result; the README's Quick start then compiles and runs
# there (test/quickstart.test.ts, pointed at this project instead of the packed tarball).
commit=$(git -C "$root" rev-parse HEAD)
mkdir "$scratch/from-git"
cd "$scratch/from-git"
cat > package.json <<'JSON'
{ "name": "from-git", "private": true, "type": "module", "allowScripts": { "trpc-jwt": true } }
JSON
# with the packages the Quick start test's project has (DOC_DEPENDENCIES), at this install's versions
mapfile -t doc_deps < <(cd "$root" && node --import tsx -e 'import("./test/helpers/packedProject.ts").then((m) => console.log(m.DOC_DEPENDENCIES.join("\n")))')
npm install --no-audit --no-fund --prefer-offline --silent "git+file://$root#$commit" \
  $(for name in "${doc_deps[@]}"; do echo "$name@$(ver "$name")"; done)
test -f node_modules/trpc-jwt/dist/index.js || { echo "git install has no dist/" >&2; exit 1; }
cd "$root"
TRPC_JWT_INSTALLED_PROJECT="$scratch/from-git" npx vitest run test/quickstart.test.ts --project native --reporter=dot
echo "installed from git+file://…#${commit:0:7}: the Quick start compiles and runs"

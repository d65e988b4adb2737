// Docs never rot: every ```ts block in README.md and docs/*.md is compiled against the BUILT
// package (trpc-jwt packed with `npm pack` and installed into a scratch project, see
// helpers/packedProject.ts) under a user's strict NodeNext tsconfig (STRICT_OPTIONS in
// helpers/compileDocs.ts: strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
// verbatimModuleSyntax). `npx vitest run test/docs.test.ts` runs just this check.
//
// THE CONVENTION, for everyone who writes a guide (also in docs/development.md):
// 1. ```ts (or ```typescript) blocks are checked. Every other fence (```sh, ```text, ```json,
//    ```js, ...) is prose and is not checked; pseudo-code that cannot compile goes in ```text.
// 2. All ```ts blocks of one markdown file form ONE module, concatenated in document order: a
//    later block may use what an earlier block imported or declared, and must not import or
//    declare the same name again.
// 3. A block may instead belong to a named module: ```ts file=server.ts (after the language).
//    Blocks with the same name are concatenated the same way. Modules of the same markdown file
//    import each other with relative `.js` specifiers (`import type { AppRouter } from
//    "./server.js"`). Each markdown file is compiled in its own folder: never across files.
// 4. What a block assumes without showing it, it declares: `declare const redisClient:
//    RedisClientType;`, `declare function findUser(sub: string): Promise<User | undefined>;`.
//    Declare only the application's own things, never something trpc-jwt exports.
// 5. Imports resolve inside the scratch project: "trpc-jwt" and its subpath exports (as built
//    and packed, never src/), plus DOC_DEPENDENCIES in helpers/packedProject.ts (@trpc/server,
//    @trpc/client, zod, superjson, @types/node, redis, express, @types/express). A guide that
//    needs another package adds it there.
// 6. A line that is meant not to compile carries `// @ts-expect-error` on the line above it.
// 7. Blocks are ES modules (top-level await is fine). They are compiled, not run; the README's
//    Quick start is also run, by quickstart.test.ts.
// An error is reported at its markdown line: `docs/keys.md:42:7 TS2304 Cannot find name 'x'.`
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDocs, type DocsCompilation, type DocSource } from "./helpers/compileDocs.js";
import { extractBlocks, isChecked } from "./helpers/docBlocks.js";
import { packedProject } from "./helpers/packedProject.js";

const repoFile = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const guides = (() => {
  try {
    return readdirSync(repoFile("docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`);
  } catch {
    return [];
  }
})();
const docs: DocSource[] = ["README.md", ...guides].map((name) => ({ name, blocks: extractBlocks(readFileSync(repoFile(name), "utf8")) }));

// The checker checks itself in the same compilation: a broken block must be reported at its
// markdown line, prose fences must be left alone, and named modules must see each other.
const SELF_TEST = [
  "# Self-test",
  "```sh",
  "this is not TypeScript",
  "```",
  "```ts file=server.ts",
  'import { AuthManager } from "trpc-jwt";',
  "export const auth: AuthManager = AuthManager.fromEnv();",
  "```",
  "```ts",
  'import { auth } from "./server.js";',
  "declare const sub: string;",
  "const token = await auth.authToken(sub);",
  "```",
  "```ts",
  "const n: number = token.sub;",
  "```",
].join("\n");
const selfTest: DocSource = { name: "self-test.md", blocks: extractBlocks(SELF_TEST) };

describe("code blocks in README.md and docs/*.md compile against the packed package", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    compiled = compileDocs(await packedProject(), [...docs, selfTest]);
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it.each(docs.map((doc) => [doc.name, doc] as const))("%s", (name, doc) => {
    expect(doc.blocks.some(isChecked) || name !== "README.md").toBe(true);
    expect(compiled.problems.get(name)).toEqual([]);
  });

  it("self-test: reports a broken block at its markdown line, and nothing else", () => {
    expect(compiled.problems.get("self-test.md")).toEqual([
      "self-test.md:15:7 TS2322 Type 'string' is not assignable to type 'number'. (in main.ts)",
    ]);
  });
});

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
//    "./server.js"`). Each markdown file is compiled in its own folder: never across files,
//    except that a named module may say `beside=README.md` (```ts file=router.test.ts
//    beside=README.md): it is then compiled in README.md's folder and imports README.md's
//    modules (docs/testing.md tests the Quick start's `./router.js`). Its name must be new there.
// 4. What a block assumes without showing it, it declares: `declare const redisClient:
//    RedisClientType;`, `declare function findUser(sub: string): Promise<User | undefined>;`.
//    Declare only the application's own things, never something trpc-jwt exports.
// 5. Imports resolve inside the scratch project: "trpc-jwt" and its subpath exports (as built
//    and packed, never src/), plus DOC_DEPENDENCIES in helpers/packedProject.ts (@trpc/server,
//    @trpc/client, zod, valibot, superjson, @types/node, redis, express, @types/express). A guide that
//    needs another package adds it there.
// 6. A line that is meant not to compile carries `// @ts-expect-error` on the line above it.
// 7. Blocks are ES modules (top-level await is fine). They are compiled, not run; the README's
//    Quick start is also run, by quickstart.test.ts.
// 8. Relative links ([errors](errors.md), [x](api.md#a-heading)) must point at files and headings
//    that exist (link a guide once it is on main), and at files the package ships (`files` of
//    package.json), so that they work in node_modules/trpc-jwt too.
// An error is reported at its markdown line: `docs/keys.md:42:7 TS2304 Cannot find name 'x'.`
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocsCompilation } from "./helpers/compileDocs.js";
import { isChecked } from "./helpers/docBlocks.js";
import { DOC_SOURCES as docs, DOC_TEXTS as texts, docsCompilation } from "./helpers/docsCompilation.js";

const repoFile = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
const anchorsOf = (markdown: string) => new Set([...markdown.matchAll(/^#{1,6}\s+(.*)$/gm)].map((match) => anchor(match[1] ?? "")));

/** The relative link targets of a markdown file, outside code blocks and code spans. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^\s*(`{3,}|~{3,})[\s\S]*?^\s*\1\s*$/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? "").filter((target) => !/^[a-z]+:/i.test(target));
}

/** The relative links of a markdown file whose file or heading does not exist. */
function brokenLinks(name: string, markdown: string): string[] {
  return relativeLinks(markdown).filter((target) => {
    const [path = "", hash] = target.split("#");
    const file = path === "" ? name : normalize(join(dirname(name), path));
    if (!existsSync(repoFile(file))) return true;
    return hash !== undefined && file.endsWith(".md") && !anchorsOf(readFileSync(repoFile(file), "utf8")).has(hash);
  });
}

// The checker checks itself in the same compilation (helpers/docsCompilation.ts: SELF_TEST_SOURCE):
// a broken block must be reported at its markdown line, prose fences must be left alone, and named
// modules must see each other.

describe("code blocks in README.md and docs/*.md compile against the packed package", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    compiled = await docsCompilation();
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it.each(docs.map((doc) => [doc.name, doc] as const))("%s", (name, doc) => {
    expect(doc.blocks.some(isChecked) || name !== "README.md").toBe(true);
    expect(compiled.problems.get(name)).toEqual([]);
  });

  it("self-test: reports a broken block at its markdown line, and nothing else", () => {
    expect(compiled.problems.get("self-test.md")).toEqual(["self-test.md:15:7 TS2322 Type 'string' is not assignable to type 'number'. (in main.ts)"]);
  });
});

// What `npm pack` ships besides package.json: the `files` of package.json (npm always adds
// README and LICENSE). A guide read in node_modules/trpc-jwt must find what it links to.
const shippedEntries = (JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as { files: string[] }).files;
const shipped = (file: string) => /^(README|LICENSE)/.test(file) || shippedEntries.some((entry) => file === entry || file.startsWith(`${entry}/`));

describe("relative links in README.md and docs/*.md", () => {
  it.each([...texts])("%s: point at files and headings that exist", (name, text) => {
    expect(brokenLinks(name, text)).toEqual([]);
  });

  it.each([...texts])("%s: point only at files the package ships (they work in node_modules)", (name, text) => {
    const files = relativeLinks(text).map((target) => normalize(join(dirname(name), target.split("#")[0] || name)));
    expect(files.filter((file) => !shipped(file))).toEqual([]);
  });

  it("the guides and the files they link are in the package: docs/, SECURITY.md, BENCHMARKS.md", () => {
    expect(["docs/api.md", "SECURITY.md", "BENCHMARKS.md"].filter((file) => !shipped(file))).toEqual([]);
  });
});

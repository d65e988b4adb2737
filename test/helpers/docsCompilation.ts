// The one compilation of every ```ts block of README.md and docs/*.md (and the checker's
// self-test), against the packed package: docs.test.ts checks its problems, quickstart.test.ts and
// sessionsDoc.test.ts run what it emitted. Each of those files used to compile its blocks in a
// program of its own (seconds of type-checking tRPC's types each); now the first to ask compiles,
// in any process, and the others read its result. Cached on disk beside the packed project, keyed
// by everything that decides the result: the blocks, the compiler and its options, this checker's
// code (and, through the packed project's own key, the package and the installed dependencies).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { compileDocs, emittedIn, STRICT_OPTIONS, type DocsCompilation, type DocSource } from "./compileDocs.js";
import { extractBlocks } from "./docBlocks.js";
import { packedProject, withLock } from "./packedProject.js";

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const guides = (() => {
  try {
    return readdirSync(repoFile("docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`);
  } catch {
    return [];
  }
})();

/** README.md and docs/*.md: their text, by name. */
export const DOC_TEXTS: ReadonlyMap<string, string> = new Map(["README.md", ...guides].map((name) => [name, readFileSync(repoFile(name), "utf8")]));

/** The blocks of README.md and docs/*.md, one source per markdown file. */
export const DOC_SOURCES: readonly DocSource[] = [...DOC_TEXTS].map(([name, text]) => ({ name, blocks: extractBlocks(text) }));

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

/** The checker's self-test, compiled with the docs: `self-test.md`, one deliberate error at line 15. */
export const SELF_TEST_SOURCE: DocSource = { name: "self-test.md", blocks: extractBlocks(SELF_TEST) };

/**
 * {@link DOC_SOURCES} and {@link SELF_TEST_SOURCE} compiled in one program against the packed
 * package, JavaScript emitted whatever the errors (a test asserts a doc's problems before running
 * its modules). Compiled once per content; `dispose()` leaves the result for the next reader.
 */
export async function docsCompilation(): Promise<DocsCompilation> {
  const project = await packedProject();
  const sources = [...DOC_SOURCES, SELF_TEST_SOURCE];
  const key = createHash("sha256")
    .update(JSON.stringify({ sources, options: STRICT_OPTIONS, typescript: ts.version }))
    .update(readFileSync(fileURLToPath(new URL("./compileDocs.ts", import.meta.url))))
    .update(readFileSync(fileURLToPath(new URL("./docBlocks.ts", import.meta.url))))
    .digest("hex")
    .slice(0, 16);
  const dir = join(project, `docs-${key}`);
  const done = join(dir, "problems.json"); // written last: the compilation is complete
  let compiled: DocsCompilation | undefined;
  if (!existsSync(done)) {
    await withLock(`${dir}.lock`, () => {
      if (existsSync(done)) return;
      rmSync(dir, { recursive: true, force: true });
      compiled = compileDocs(project, sources, { emit: "always", dir });
      writeFileSync(done, JSON.stringify([...compiled.problems]));
    });
  }
  if (compiled !== undefined) return { ...compiled, dispose: () => undefined };
  const problems = new Map(JSON.parse(readFileSync(done, "utf8")) as [string, string[]][]);
  return { problems, emitted: emittedIn(dir), dispose: () => undefined };
}

// The packed package's declarations, as a user's compiler reads them: without @types/node (a
// browser project, or a server project that has not installed it) and without skipLibCheck.
// .ci/check-tarball.sh checks the same in CI; this runs it inside `npm test`, so that a landing
// cannot make dist/*.d.ts name node:crypto's types again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDocs, type DocsCompilation } from "./helpers/compileDocs.js";
import { extractBlocks } from "./helpers/docBlocks.js";
import { packedProject } from "./helpers/packedProject.js";

const USES_EVERY_EXPORT = [
  "```ts",
  'import * as server from "trpc-jwt";',
  'import * as client from "trpc-jwt/client";',
  "export const entries = [server, client];",
  "```",
].join("\n");

describe("the packed package's declarations", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    compiled = compileDocs(await packedProject(), [{ name: "entries.md", blocks: extractBlocks(USES_EVERY_EXPORT) }], {
      options: { types: [], skipLibCheck: false, lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"] },
    });
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it("typecheck without @types/node and without skipLibCheck (trpc-jwt, trpc-jwt/client)", () => {
    expect(compiled.problems.get("entries.md")).toEqual([]);
  });
});

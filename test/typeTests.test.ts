// The type tests (test/*.test-d.ts: expectTypeOf assertions and @ts-expect-error lines) compiled by
// the TypeScript compiler under the project's tsconfig, as a user's strict project would compile
// them. They run here, in the suite, rather than through vitest's `typecheck` mode, which prints an
// "experimental feature" notice on every run: the same compiler and the same checks, without it.
//
// And the compile errors a newcomer meets, compiled for real: the printed message must name the
// fix (#16.5). Their snippets are compiled in the same program as the type tests, under the same
// tsconfig.json: tRPC's, zod's and our types are checked once for both.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = readdirSync(new URL(".", import.meta.url))
  .filter((name) => name.endsWith(".test-d.ts"))
  .sort();

const PRELUDE = `
import { initTRPC } from "@trpc/server";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
const auth = new AuthManager({ issuer: "x", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, requireToken } = createJwtProcedures(t);
void z; void authedProcedure; void requireToken;
`;

const SNIPPETS = {
  inputBeforeInput: `authedProcedure.use(requireToken({ input: { sub: "username" } })).input(z.object({ username: z.string() }));`,
  noInputAtAll: `authedProcedure.use(requireToken({ input: { sub: "username" } })).query(() => "x");`,
  contextWithoutJwt: `createJwtProcedures(initTRPC.context<{ user: string }>().create());`,
  fine: `authedProcedure.input(z.object({ username: z.string() })).use(requireToken({ input: { sub: "username" }, allow: ({ input }) => input.username !== "" })).query(() => "x");`,
};

const snippetFiles = new Map(Object.entries(SNIPPETS).map(([name, code]) => [join(root, "test", `__snippet_${name}.ts`), `${PRELUDE}${code}\n`]));

let errorsOf: (file: string) => string[];
// Every snippet's messages.
let messages: Record<keyof typeof SNIPPETS, string[]>;

beforeAll(() => {
  const configPath = ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
  if (configPath === undefined) throw new Error("tsconfig.json not found");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  // The snippets exist only in memory: the compiler host serves them beside the files on disk.
  const host = ts.createCompilerHost(parsed.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => snippetFiles.has(file) || fileExists(file);
  host.readFile = (file) => snippetFiles.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = snippetFiles.get(file);
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...files.map((name) => `${root}test/${name}`), ...snippetFiles.keys()], parsed.options, host);

  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSemanticDiagnostics(),
    ...program.getSyntacticDiagnostics(),
  ];
  const describe = (diagnostic: ts.Diagnostic) => {
    const where =
      diagnostic.file === undefined || diagnostic.start === undefined
        ? ""
        : `${diagnostic.file.fileName.slice(root.length)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1}: `;
    return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  };
  // An error in a file the type tests import (src/, a helper) is reported with every file, so it
  // cannot pass unnoticed; the snippets' errors are theirs alone (asserted below).
  const elsewhere = diagnostics.filter(
    (diagnostic) => !files.some((name) => diagnostic.file?.fileName === `${root}test/${name}`) && !snippetFiles.has(diagnostic.file?.fileName ?? ""),
  );
  errorsOf = (name) => [...diagnostics.filter((diagnostic) => diagnostic.file?.fileName === `${root}test/${name}`), ...elsewhere].map(describe);

  messages = Object.fromEntries(
    [...snippetFiles.keys()].map((file, i) => [
      Object.keys(SNIPPETS)[i],
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    ]),
  ) as typeof messages;
}, 120_000);

describe("type tests (test/*.test-d.ts) compile with no error under tsconfig.json", () => {
  it("finds the type tests", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s", (name) => {
    expect(errorsOf(name)).toEqual([]);
  });
});

describe("compile errors name the fix (#16.5)", () => {
  it("requireToken({ input }) before .input() says to call .input(schema) first", () => {
    for (const name of ["inputBeforeInput", "noInputAtAll"] as const) {
      expect(messages[name]).toHaveLength(1);
      expect(messages[name][0]).toContain("call .input(schema) before .use(requireToken({ input }))");
    }
    // What users read first, quoted in docs/guards.md: the type's name, then the fix under it.
    expect(messages.inputBeforeInput[0]?.split("\n").map((line) => line.trim())).toEqual([
      `Type '"username"' is not assignable to type 'InputNeedsInputFirst'.`,
      `Type '"username"' is not assignable to type '"trpc-jwt: no input here; call .input(schema) before .use(requireToken({ input }))"'.`,
    ]);
  });

  it("createJwtProcedures(t) on a context without createJwtContext says how to build it", () => {
    expect(messages.contextWithoutJwt).toHaveLength(1);
    expect(messages.contextWithoutJwt[0]).toContain(
      "the context has no jwt; use initTRPC.context<typeof createContext>() with createContext = createJwtContext(auth)",
    );
  });

  it("correct code compiles cleanly", () => {
    expect(messages.fine).toEqual([]);
  });
});

// The compile errors a newcomer meets, compiled for real: the printed message must name the fix.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

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

// Every snippet's messages, from one program (type-checking tRPC's types once).
let messages: Record<keyof typeof SNIPPETS, string[]>;

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error("tsconfig.json did not parse");
  const files = new Map(Object.entries(SNIPPETS).map(([name, code]) => [join(root, "test", `__snippet_${name}.ts`), `${PRELUDE}${code}\n`]));
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists(file);
  host.readFile = (file) => files.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file);
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...files.keys()], config.options, host);
  messages = Object.fromEntries(
    [...files.keys()].map((file, i) => [
      Object.keys(SNIPPETS)[i],
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    ]),
  ) as typeof messages;
}, 120_000);

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

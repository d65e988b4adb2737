// The type tests (test/*.test-d.ts: expectTypeOf assertions and @ts-expect-error lines) compiled by
// the TypeScript compiler under the project's tsconfig, as a user's strict project would compile
// them. They run here, in the suite, rather than through vitest's `typecheck` mode, which prints an
// "experimental feature" notice on every run: the same compiler and the same checks, without it.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = readdirSync(new URL(".", import.meta.url))
  .filter((name) => name.endsWith(".test-d.ts"))
  .sort();

describe("type tests (test/*.test-d.ts) compile with no error under tsconfig.json", () => {
  let errorsOf: (file: string) => string[];

  beforeAll(() => {
    const configPath = ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
    if (configPath === undefined) throw new Error("tsconfig.json not found");
    const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
    const program = ts.createProgram(
      files.map((name) => `${root}test/${name}`),
      parsed.options,
    );
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
    // cannot pass unnoticed.
    const elsewhere = diagnostics.filter((diagnostic) => !files.some((name) => diagnostic.file?.fileName === `${root}test/${name}`));
    errorsOf = (name) => [...diagnostics.filter((diagnostic) => diagnostic.file?.fileName === `${root}test/${name}`), ...elsewhere].map(describe);
  }, 120_000);

  it("finds the type tests", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s", (name) => {
    expect(errorsOf(name)).toEqual([]);
  });
});

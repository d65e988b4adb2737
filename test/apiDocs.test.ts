// docs/api.md's "Exports of each entry" lists every name each package entry exports, and nothing
// else: compared here with the entries themselves, values with what `import()` of the entry
// returns at runtime, types with what the TypeScript compiler API reads from its source. The
// entries are those of package.json's `exports`, so a new entry needs its own section too.
// Someone who adds, moves or removes an export updates the table in the same change.
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const repoFile = (path: string) => new URL(`../${path}`, import.meta.url).pathname;

interface Documented {
  readonly values: string[];
  readonly types: string[];
  readonly problems: string[];
}

/** The per-entry tables below "## Exports of each entry": `| \`name\` | value or type | ... |`. */
function documentedExports(markdown: string): Map<string, Documented> {
  const start = markdown.indexOf("\n## Exports of each entry");
  if (start === -1) throw new Error('docs/api.md has no "## Exports of each entry" section');
  const rest = markdown.slice(start + 1);
  const end = rest.slice(3).search(/\n## /);
  const section = end === -1 ? rest : rest.slice(0, end + 3);
  const entries = new Map<string, Documented>();
  let current: Documented | undefined;
  for (const line of section.split("\n")) {
    const heading = /^### `([^`]+)`\s*$/.exec(line);
    if (heading) {
      current = { values: [], types: [], problems: [] };
      entries.set(heading[1] ?? "", current);
      continue;
    }
    const row = /^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (!row || !current) continue;
    const [, name = "", kind = ""] = row;
    if (kind === "value") current.values.push(name);
    else if (kind === "type") current.types.push(name);
    else current.problems.push(`${name}: kind "${kind}" is neither value nor type`);
  }
  return entries;
}

const manifest = JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as { exports: Record<string, string | { default: string }> };
/** Each entry of package.json's exports (but ./package.json) with its source file. */
const ENTRIES = Object.entries(manifest.exports)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([subpath, target]) => {
    const built = typeof target === "string" ? target : target.default;
    return {
      name: subpath === "." ? "trpc-jwt" : `trpc-jwt/${subpath.slice(2)}`,
      source: repoFile(built.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")),
    };
  });

/**
 * Every name each entry exports, types included, as the compiler reads the source. What a module
 * exports is decided by its export statements and the modules they resolve to, never by the
 * standard library or Node's globals: those are left out (`noLib`, no `types`), which halves the
 * files the compiler reads (364 -> 200) for the same lists.
 */
function compiledExports(): Map<string, string[]> {
  const program = ts.createProgram(
    ENTRIES.map((entry) => entry.source),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      noLib: true,
      types: [],
    },
  );
  const checker = program.getTypeChecker();
  return new Map(
    ENTRIES.map((entry) => {
      const file = program.getSourceFile(entry.source);
      const symbol = file && checker.getSymbolAtLocation(file);
      if (!symbol) throw new Error(`${entry.source}: not a module`);
      return [entry.name, checker.getExportsOfModule(symbol).map((exported) => exported.name)];
    }),
  );
}

const sorted = (names: Iterable<string>) => [...names].sort();
const minus = (a: readonly string[], b: readonly string[]) => sorted(a.filter((name) => !b.includes(name)));

/** What differs between an entry's documented and real exports, one line per name. */
export function exportDifferences(entry: string, documented: Documented | undefined, runtime: readonly string[], compiled: readonly string[]): string[] {
  if (!documented) return [`${entry}: no "### \`${entry}\`" table in docs/api.md`];
  const types = compiled.filter((name) => !runtime.includes(name));
  return [
    ...documented.problems.map((problem) => `${entry}: ${problem}`),
    ...minus(runtime, documented.values).map((name) => `${entry}: value ${name} is exported but not documented as a value`),
    ...minus(documented.values, runtime).map((name) => `${entry}: ${name} is documented as a value but not exported as one`),
    ...minus(types, documented.types).map((name) => `${entry}: type ${name} is exported but not documented as a type`),
    ...minus(documented.types, types).map((name) => `${entry}: ${name} is documented as a type but not exported as one`),
  ];
}

describe("docs/api.md lists exactly what each entry exports", () => {
  const documented = documentedExports(readFileSync(repoFile("docs/api.md"), "utf8"));
  const compiled = compiledExports();

  it("has a table for every entry of package.json, and none for an entry that does not exist", () => {
    expect(sorted(documented.keys())).toEqual(sorted(ENTRIES.map((entry) => entry.name)));
  });

  it.each(ENTRIES)("$name: every export documented, every documented name exported, values and types apart", async ({ name, source }) => {
    const runtime = Object.keys((await import(source)) as object);
    expect(exportDifferences(name, documented.get(name), runtime, compiled.get(name) ?? [])).toEqual([]);
  });

  it("the server entry stays small: at most 16 values and 45 names, types included (issue 24)", async () => {
    const runtime = Object.keys((await import("trpc-jwt")) as object);
    expect(runtime.length).toBeLessThanOrEqual(16);
    expect(compiled.get("trpc-jwt")?.length).toBeLessThanOrEqual(45);
  });

  it("reports a name exported but not documented, and one documented but not exported, by name", () => {
    const table = { values: ["documentedOnly"], types: ["Shared"], problems: [] };
    expect(exportDifferences("trpc-jwt", table, ["exportedOnly"], ["exportedOnly", "Shared", "UndocumentedType"])).toEqual([
      "trpc-jwt: value exportedOnly is exported but not documented as a value",
      "trpc-jwt: documentedOnly is documented as a value but not exported as one",
      "trpc-jwt: type UndocumentedType is exported but not documented as a type",
    ]);
  });
});

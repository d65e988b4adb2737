// Compiles the ```ts blocks of markdown files inside the packed scratch project (see
// packedProject.ts), as a user's strict NodeNext project would, and reports each error at the
// markdown line it comes from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { toModules, type DocBlock, type DocModule } from "./docBlocks.js";

/** A user's strict tsconfig: what every doc block must compile under. */
export const STRICT_OPTIONS: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  types: ["node"],
  skipLibCheck: true,
};

/** One markdown file's blocks to compile, under a name used in messages (`docs/keys.md`). */
export interface DocSource {
  readonly name: string;
  readonly blocks: readonly DocBlock[];
}

/** The result of one compilation. */
export interface DocsCompilation {
  /** Per doc name: its errors as `README.md:12:5 TS2304 Cannot find name 'x'.` (empty when clean). */
  readonly problems: ReadonlyMap<string, readonly string[]>;
  /**
   * Where a doc's module went after emit: `emitted("README.md", "server.ts")` -> `.../server.js`
   * (a `beside=README.md` module of another doc is README.md's).
   */
  emitted(doc: string, file: string): string;
  /** Removes the generated files. */
  dispose(): void;
}

const folderOf = (doc: string) => doc.replace(/\.md$/, "").replace(/[^A-Za-z0-9_-]+/g, "_");

/** {@link DocsCompilation.emitted} for a compilation written to `dir` (as {@link compileDocs} lays it out). */
export const emittedIn =
  (dir: string): DocsCompilation["emitted"] =>
  (doc, file) =>
    join(dir, "out", folderOf(doc), file.replace(/\.ts$/, ".js"));

/**
 * Writes each doc's modules to its own folder (a `beside=` module to that doc's folder) of a fresh directory under `project` and compiles
 * them all in one program; with `emit`, JavaScript goes to `out/` beside them (only when there is no error, unless `emit` is
 * "always"). `options` override {@link STRICT_OPTIONS}. `dir` is the directory to write to instead of a fresh one.
 */
export function compileDocs(
  project: string,
  docs: readonly DocSource[],
  { emit = false, options = {}, dir }: { emit?: boolean | "always"; options?: ts.CompilerOptions; dir?: string } = {},
): DocsCompilation {
  const root = dir ?? mkdtempSync(join(project, "check-"));
  const src = join(root, "src");
  const out = join(root, "out");
  const origin = new Map<string, { doc: string; module: DocModule }>();
  for (const doc of docs) {
    for (const module of toModules(doc.blocks)) {
      const path = join(src, folderOf(module.beside ?? doc.name), module.file);
      if (origin.has(path)) throw new Error(`${doc.name}: module ${module.file} is already written by ${origin.get(path)?.doc}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, module.text);
      origin.set(path, { doc: doc.name, module });
    }
  }
  const program = ts.createProgram([...origin.keys()], { ...STRICT_OPTIONS, ...options, noEmit: !emit, rootDir: src, outDir: out });
  const diagnostics = [...ts.getPreEmitDiagnostics(program)];
  if (emit === "always" || (emit && diagnostics.length === 0)) diagnostics.push(...program.emit().diagnostics);

  const problems = new Map<string, string[]>(docs.map((doc) => [doc.name, []]));
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const source = diagnostic.file && origin.get(diagnostic.file.fileName);
    if (!diagnostic.file || !source || diagnostic.start === undefined) {
      const where = diagnostic.file ? relative(root, diagnostic.file.fileName) : "(program)";
      for (const list of problems.values()) list.push(`${where} TS${diagnostic.code} ${message}`);
      continue;
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const mdLine = source.module.sourceLines[line] ?? 0;
    problems.get(source.doc)?.push(`${source.doc}:${mdLine}:${character + 1} TS${diagnostic.code} ${message} (in ${source.module.file})`);
  }
  return {
    problems,
    emitted: emittedIn(root),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

// Reads the fenced code blocks of a markdown file and turns its ```ts blocks into modules. The
// convention these functions implement is written out at the top of test/docs.test.ts.

/** One fenced code block of a markdown file. */
export interface DocBlock {
  /** The info string's first word (`ts`, `sh`, `text`, ...); "" when there is none. */
  readonly lang: string;
  /** The module the block belongs to: its `file=...` attribute, else {@link DEFAULT_MODULE}. */
  readonly file: string;
  /**
   * Its `beside=...` attribute: the markdown file (`README.md`) in whose folder the module is
   * compiled, so that it imports that file's modules (`./router.js`); `undefined` for its own.
   */
  readonly beside?: string | undefined;
  /** The text of the last `##` heading above the block (`Quick start`). */
  readonly section: string;
  /** The block's code, without the fences (and without the indentation of the opening fence). */
  readonly code: string;
  /** The markdown line (1-based) of the block's first code line. */
  readonly line: number;
}

/** The module that blocks without a `file=...` attribute are compiled into. */
export const DEFAULT_MODULE = "main.ts";

/** Languages whose blocks are compiled; every other block (sh, text, json, ...) is prose. */
const CHECKED = new Set(["ts", "typescript"]);

/** Every fenced code block of `markdown`, in order. */
export function extractBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  let section = "";
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const heading = /^##\s+(.*?)\s*$/.exec(line);
    if (heading) section = heading[1] ?? "";
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(line);
    if (!open) continue;
    const [, indent = "", fence = "", lang = "", attributes = ""] = open;
    const file = /(?:^|\s)file=(\S+)/.exec(attributes)?.[1] ?? DEFAULT_MODULE;
    const beside = /(?:^|\s)beside=(\S+)/.exec(attributes)?.[1];
    const body: string[] = [];
    const start = index + 1;
    for (index++; index < lines.length; index++) {
      const inner = lines[index] ?? "";
      if (isClosing(inner.trim(), fence)) break;
      body.push(inner.startsWith(indent) ? inner.slice(indent.length) : inner.trimStart());
    }
    blocks.push({ lang, file, beside, section, code: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

// A closing fence: only fence characters, at least as many as the opening one.
const isClosing = (line: string, fence: string) => line.length >= fence.length && [...line].every((char) => char === fence[0]);

/** Whether a block is type-checked. */
export const isChecked = (block: DocBlock): boolean => CHECKED.has(block.lang);

/** A generated module: its text, and for each of its lines the markdown line it came from. */
export interface DocModule {
  readonly file: string;
  /** The markdown file whose folder it is compiled in, when not its own (see {@link DocBlock.beside}). */
  readonly beside: string | undefined;
  readonly text: string;
  readonly sourceLines: readonly number[];
}

/** The checked blocks grouped into modules, each module's blocks concatenated in document order. */
export function toModules(blocks: readonly DocBlock[]): DocModule[] {
  const modules = new Map<string, { beside: string | undefined; lines: string[]; sourceLines: number[] }>();
  for (const block of blocks.filter(isChecked)) {
    const module = modules.get(block.file) ?? { beside: block.beside, lines: [], sourceLines: [] };
    if (module.beside !== block.beside) throw new Error(`${block.file}: its blocks disagree on beside= (line ${block.line})`);
    modules.set(block.file, module);
    block.code.split("\n").forEach((code, offset) => {
      module.lines.push(code);
      module.sourceLines.push(block.line + offset);
    });
  }
  return [...modules].map(([file, { beside, lines, sourceLines }]) => ({ file, beside, text: `${lines.join("\n")}\n`, sourceLines }));
}

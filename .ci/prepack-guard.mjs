// `npm pack` / `npm publish` guard (the prepack script): refuses to pack a package whose dist/
// is missing or older than a source file, which npm would otherwise pack silently (a package
// without its JavaScript, or with yesterday's). `npm run build` first; a git install builds
// through the prepare script.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const newest = (dir) =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );

const built = existsSync("dist/index.js") ? statSync("dist/index.js").mtimeMs : undefined;
if (built === undefined || newest("src") > newest("dist")) {
  console.error(`prepack: dist/ is ${built === undefined ? "missing" : "older than src/"}; run \`npm run build\` before packing.`);
  process.exit(1);
}

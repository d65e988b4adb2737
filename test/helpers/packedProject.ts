// A scratch project with trpc-jwt installed from its packed tarball, as a user installs it: the
// docs tests compile and run README and guide blocks there, so "trpc-jwt" resolves to the built
// package (dist/*.d.ts through the exports map), never to src/. Built once per content of the
// package's sources and shared by every test file (and worktree) through a lock.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Packages installed next to trpc-jwt, at the versions of this repository's install, so that doc
 * blocks may import them. A guide that imports another package adds it here.
 */
export const DOC_DEPENDENCIES = [
  "@trpc/server",
  "@trpc/client",
  "zod",
  "valibot",
  "superjson",
  "@types/node",
  "redis",
  "express",
  "@types/express",
  "eventsource",
  "ws",
  "@types/ws",
  "vitest",
] as const;

// What decides the built package (the cache key), and the files copied to build and pack it. The
// markdown files are packed but left out of the key: editing a guide need not rebuild the package.
const BUILD_INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json", "src"];
const PACKAGE_INPUTS = [...BUILD_INPUTS, ".ci/prepack-guard.mjs", "README.md", "SECURITY.md", "BENCHMARKS.md", "LICENSE", "docs"];

const version = (name: string): string => (JSON.parse(readFileSync(join(repo, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesUnder(join(path, entry)));
}

function contentKey(): string {
  const hash = createHash("sha256");
  for (const file of BUILD_INPUTS.flatMap((input) => filesUnder(join(repo, input)))) {
    hash.update(relative(repo, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  for (const name of DOC_DEPENDENCIES) hash.update(`${name}@${version(name)}\0`);
  return hash.digest("hex").slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` holding `lock` (a directory: mkdir is atomic, so whoever creates it works and the
 * others, in any process, wait for it to go). A lock older than 5 minutes was left by a killed run.
 */
export async function withLock<T>(lock: string, work: () => T): Promise<T> {
  for (const started = Date.now(); ;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 300_000) rmSync(lock, { recursive: true, force: true }); // left by a killed run
      if (Date.now() - started > 600_000) throw new Error(`packedProject: gave up waiting for ${lock}`);
      await sleep(250);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function build(target: string): void {
  const work = mkdtempSync(join(tmpdir(), "trpc-jwt-pack-"));
  try {
    // Build from the current sources into a staging copy, never into the worktree's dist/.
    // Same relative layout as the repository, so source maps point at the shipped src/.
    const staging = join(work, "package");
    for (const input of PACKAGE_INPUTS) {
      if (existsSync(join(repo, input))) cpSync(join(repo, input), join(staging, input), { recursive: true });
    }
    symlinkSync(join(repo, "node_modules"), join(staging, "node_modules"));
    run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], staging);
    // Built just above: without --ignore-scripts npm pack would run `prepare` (npm run build) and
    // compile the same sources a second time, the larger part of a cold build.
    const tarball = run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], staging).trim().split("\n").pop() ?? "";

    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "docs-scratch", private: true, type: "module" }));
    // --prefer-offline: after `npm ci` every dependency is in the npm cache.
    run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--silent",
        join(work, tarball),
        ...DOC_DEPENDENCIES.map((name) => `${name}@${version(name)}`),
      ],
      project,
    );
    writeFileSync(join(project, ".ready"), "");
    renameSync(project, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The directory of a scratch ESM project (`"type": "module"`) with the packed trpc-jwt and
 * {@link DOC_DEPENDENCIES} installed. Blocks written below it resolve their imports there. With
 * `TRPC_JWT_INSTALLED_PROJECT` set, that project (trpc-jwt installed some other way) instead.
 */
export async function packedProject(): Promise<string> {
  // .ci/check-tarball.sh installs the package from a git URL instead (prepare builds it) and
  // points the Quick start test at that project.
  const installed = process.env["TRPC_JWT_INSTALLED_PROJECT"];
  if (installed) return installed;
  const cache = join(tmpdir(), "trpc-jwt-docs-cache");
  mkdirSync(cache, { recursive: true });
  const target = join(cache, contentKey());
  if (!existsSync(join(target, ".ready"))) {
    await withLock(`${target}.lock`, () => {
      if (!existsSync(join(target, ".ready"))) {
        rmSync(target, { recursive: true, force: true });
        build(target);
      }
    });
  }
  pruneOlderThanADay(cache, target);
  return target;
}

function pruneOlderThanADay(cache: string, keep: string): void {
  for (const entry of readdirSync(cache)) {
    const path = join(cache, entry);
    if (path !== keep && !entry.endsWith(".lock") && Date.now() - statSync(path).mtimeMs > 86_400_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

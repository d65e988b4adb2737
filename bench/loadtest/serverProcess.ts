import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { bundled } from "../bundled.js";

/** The example server running in its own process, so its memory and CPU are its own. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Peak resident set size so far, in MiB (the kernel's VmHWM). */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts `example-server/server.ts` on a free loopback port with `env` added to this process's,
 * compiled as users run it (see bench/bundled.ts).
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [await bundled("example-server/server.ts")], {
    env: { ...process.env, ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await listeningUrl(child);
  const pid = child.pid as number;
  return {
    url,
    pid,
    peakRssMiB: () => {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return match ? Number(match[1]) / 1024 : Number.NaN;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The URL a server process prints as "listening on http://127.0.0.1:<port>" once it accepts connections. */
export function listeningUrl(child: ChildProcess, name = "example server"): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening`));
    });
  });
}

// Runs doc blocks emitted by compileDocs (with `emit: true`) as a user runs them: `node` on the
// JavaScript, in its own process, in the scratch project (so "trpc-jwt" is the packed package).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { dirname } from "node:path";

/**
 * The start of a driver script (ES module source) written beside emitted doc modules: the doc
 * blocks hard-code port 3000, which other processes on this machine may hold, so a server's
 * `listen(3000)` gets a free port instead, and `await port` is the port it got.
 */
export const FREE_PORT_FOR_3000 = `
import net from "node:net";
const listen = net.Server.prototype.listen;
let portFound;
const port = new Promise((resolve) => (portFound = resolve));
net.Server.prototype.listen = function (first, ...rest) {
  this.once("listening", () => portFound(this.address().port));
  return listen.call(this, first === 3000 ? 0 : first, ...rest);
};
`;

/** How a process ended, with everything it printed. */
export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `node` process and what it has printed so far. */
export interface NodeProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<NodeExit>;
  /** Resolves with the first stdout line that matches, or rejects if the process exits first. */
  line(pattern: RegExp): Promise<string>;
  /** Sends `signal` to this process (by its pid) if it is still running. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts `node [...nodeArgs] script` in the script's folder, with `env` over this process's
 * environment. It is killed (by pid, SIGKILL) after `timeout` ms if it has not exited by then.
 */
export function startNode(script: string, env: Record<string, string>, { timeout, nodeArgs = [] }: { timeout: number; nodeArgs?: string[] }): NodeProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: dirname(script), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
  const exited = once(child, "exit").then(([code, signal]) => {
    clearTimeout(timer);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  const line = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const found = stdout.split("\n").find((printed) => pattern.test(printed));
      if (found !== undefined) return found;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before printing ${pattern}: ${stderr}`);
      await Promise.race([once(child.stdout, "data"), exited]);
    }
  };
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, name);
  };
  return { child, exited, line, signal };
}

/** Runs `node script` to its end (killed after `timeout` ms) and resolves with how it ended. */
export function runNode(script: string, env: Record<string, string>, timeout: number, nodeArgs: string[] = []): Promise<NodeExit> {
  return startNode(script, env, { timeout, nodeArgs }).exited;
}

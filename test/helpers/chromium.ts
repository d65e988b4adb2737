import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { chromium, type BrowserContext } from "playwright-core";

const INSTALL_HINT = "chromium not found: install it (Debian/Ubuntu: sudo apt-get install -y chromium) to run the browser tests";

/** The Debian `chromium` executable, or undefined (and how to install it); under CI=true its absence throws. */
export function chromiumPath(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    if (process.env["CI"] === "true") throw new Error(`${INSTALL_HINT} (CI=true: a missing browser fails the run)`);
    console.warn(INSTALL_HINT);
    return undefined;
  }
}

/**
 * Headless Chromium with a fresh profile and nothing that talks to the network on its own;
 * `close()` ends the browser and deletes the profile.
 */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "trpc-jwt-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

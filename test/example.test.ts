// The README's first command, minus the process boundary: the example client against the
// example server must walk through every step as expected.
import { describe, expect, it } from "vitest";
import { runDemoClient } from "../example-client/client.js";
import { startExampleServer } from "../example-server/server.js";

describe("example server and client", () => {
  it("log in, call, get refused, refresh and log out, as the demo prints", { timeout: 15_000 }, async () => {
    const server = await startExampleServer(0, () => undefined);
    const lines: string[] = [];
    try {
      expect(await runDemoClient(server.url, (line) => lines.push(line))).toBe(true);
    } finally {
      await server.stop();
    }
    const transcript = lines.join("\n");
    expect(transcript).not.toContain("FAIL");
    expect(transcript).toContain("protectedRoute without a token -> refused: 401 TOKEN_MISSING");
    expect(transcript).toContain("user({ username: 'bob' }) -> refused: 403 CLAIMS_MISMATCH");
    expect(transcript).toContain("admin -> refused: 403 SCOPE_MISMATCH");
    expect(transcript).toContain("exactly one refresh, new auth token stored");
    expect(transcript).toContain("logout callback fired once and the store was cleared");
  });
});

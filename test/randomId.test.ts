// The session ids and CSRF values of every login (src/sessions/randomId.ts): drawn in batches, each
// byte handed out once. Across many batches the ids stay distinct, well-formed and unbiased.
import { describe, expect, it } from "vitest";
import { randomId } from "../src/sessions/randomId.js";

describe("randomId", () => {
  const ids = Array.from({ length: 4096 }, randomId);

  it("gives 22 base64url characters holding 16 bytes, never the same id twice across batches", () => {
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sets each of the 128 bits in about half of the ids (no byte reused, none left zero)", () => {
    const bytes = ids.map((id) => Buffer.from(id, "base64url"));
    for (let bit = 0; bit < 128; bit++) {
      const set = bytes.filter((b) => ((b[bit >> 3] as number) >> (7 - (bit & 7))) & 1).length;
      // 4,096 fair coin flips: mean 2,048, standard deviation 32; six deviations either side.
      expect(set).toBeGreaterThan(2048 - 192);
      expect(set).toBeLessThan(2048 + 192);
    }
  });
});

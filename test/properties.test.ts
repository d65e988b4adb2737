// Property tests: tampering is never accepted; the matching rules obey their laws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtError, type JsonValue } from "trpc-jwt";
import { matchScope, matchValue } from "trpc-jwt/policy";
import { optionsFor } from "./helpers/keys.js";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe.each(["HS256", "RS256"] as const)("tampering under %s", (alg) => {
  // Cache off: every attempt goes through the full verification path.
  const auth = new AuthManager(optionsFor(alg, { cacheSize: 0 }));
  const tokenPromise = auth.authToken("alice", { admin: false }, { org: "acme" }).then((t) => t.signed);

  const rejected = async (tampered: string) => {
    const outcome = await auth.verifyToken(tampered).then(
      () => "accepted",
      (e: unknown) => (e instanceof JwtError ? e.code : "threw something else"),
    );
    return outcome === "TOKEN_INVALID";
  };

  it("a changed character anywhere is never accepted", async () => {
    const token = await tokenPromise;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.oneof(fc.constantFrom(...BASE64URL, ".", "=", "+", "/", " "), fc.string({ minLength: 1, maxLength: 1, unit: "binary" })),
        async (at, replacement) => {
          fc.pre(token[at] !== replacement);
          return rejected(token.slice(0, at) + replacement + token.slice(at + 1));
        },
      ),
      { numRuns: alg === "RS256" ? 150 : 400 },
    );
  });

  it("a deleted, inserted or bit-flipped byte is never accepted", async () => {
    const token = await tokenPromise;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.integer({ min: 0, max: 2 }), fc.nat({ max: 7 }), async (at, kind, bit) => {
        const bytes = Buffer.from(token, "latin1");
        let tampered: Buffer;
        if (kind === 0) tampered = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        else if (kind === 1) tampered = Buffer.concat([bytes.subarray(0, at), Buffer.from([bytes[at] as number]), bytes.subarray(at)]);
        else {
          tampered = Buffer.from(bytes);
          tampered[at] = (tampered[at] as number) ^ (1 << bit);
        }
        return rejected(tampered.toString("latin1"));
      }),
      { numRuns: alg === "RS256" ? 150 : 400 },
    );
  });

  it("the untampered token is accepted (the property is not vacuous)", async () => {
    await expect(auth.verifyToken(await tokenPromise)).resolves.toMatchObject({ sub: "alice" });
  });
});

describe("matching laws", () => {
  const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;
  const object = fc.dictionary(
    fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"),
    json,
    { maxKeys: 5 },
  );

  it("every value matches itself", () => {
    fc.assert(fc.property(json, (value) => matchValue(value, structuredClone(value))));
  });

  it("adding keys to the token never breaks a match", () => {
    fc.assert(
      fc.property(object, object, (required, extra) => {
        const token = { ...extra, ...required };
        return matchValue(required, token);
      }),
    );
  });

  it("adding keys inside nested token objects never breaks a match", () => {
    fc.assert(
      fc.property(object, fc.string({ maxLength: 4 }), json, (inner, key, value) => {
        fc.pre(!(key in inner) && key !== "__proto__");
        return matchValue({ nested: inner }, { nested: { ...inner, [key]: value } });
      }),
    );
  });

  it("removing a required key from the token always breaks the match", () => {
    fc.assert(
      fc.property(
        object.filter((o) => Object.keys(o).length > 0),
        fc.nat(),
        (required, pick) => {
          const keys = Object.keys(required);
          const removed = keys[pick % keys.length] as string;
          const token: Record<string, JsonValue> = { ...required };
          delete token[removed];
          return !matchValue(required, token);
        },
      ),
    );
  });

  it("a scalar never matches a value of another type", () => {
    const scalar = fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null));
    fc.assert(
      fc.property(scalar, scalar, (a, b) => {
        fc.pre(typeof a !== typeof b);
        return !matchValue(a, b);
      }),
    );
  });

  it("OAuth scope words: order and extra words never matter; a missing word always does", () => {
    const word = fc.stringMatching(/^[a-z:]{1,8}$/);
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 5 }), fc.uniqueArray(word, { maxLength: 3 }), (required, extra) => {
        const granted = [...new Set([...extra, ...required])].reverse().join(" ");
        const withoutFirst = granted
          .split(" ")
          .filter((w) => w !== required[0])
          .join(" ");
        return matchScope(required.join(" "), granted) && !matchScope(required.join(" "), withoutFirst);
      }),
    );
  });
});

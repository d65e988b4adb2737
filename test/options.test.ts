// Issue 24 (review P4): every option parser checks its options with one toolkit against one
// LIMITS table, so an option two parsers take is bounded the same in both, and every bad option is
// a JwtConfigError naming it (never a RangeError from deep inside).
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, RemoteIssuer, type AuthManagerOptions, type RemoteIssuerOptions } from "trpc-jwt";
import { HS256_SECRET } from "./helpers/keys.js";

const manager = { issuer: "api", authType: "HS256", secret: HS256_SECRET } as const;
const remote = { issuer: "https://idp.example.test/", jwksUri: "https://idp.example.test/jwks", audience: "https://api.example.test" } as const;

/** The JwtConfigError `make` throws, or undefined when it constructs. */
function configError(make: () => unknown): JwtConfigError | undefined {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(JwtConfigError);
    return error as JwtConfigError;
  }
  return undefined;
}
const newManager = (extra: Record<string, unknown>) => configError(() => new AuthManager({ ...manager, ...extra } as AuthManagerOptions));
const newRemote = (extra: Record<string, unknown>) => configError(() => new RemoteIssuer({ ...remote, ...extra } as RemoteIssuerOptions));

describe("an option AuthManager and RemoteIssuer both take is bounded the same in both", () => {
  it.each([
    ["cacheSize", 2 ** 27],
    ["cacheSize", 2 ** 33],
    ["cacheSize", 1_000_001],
    ["cacheSize", -1],
    ["clockTolerance", 301],
    ["clockTolerance", 0.5],
    ["maxTokenLength", 63],
    ["maxTokenLength", Number.POSITIVE_INFINITY],
  ])("%s: %d is the same JwtConfigError from both", (option, value) => {
    const own = newManager({ [option]: value });
    const idp = newRemote({ [option]: value });
    expect(own?.option).toBe(option);
    expect(idp?.option).toBe(option);
    expect(idp?.message).toBe(own?.message);
  });

  it.each([
    ["cacheSize", 0],
    ["cacheSize", 1_000_000],
    ["clockTolerance", 300],
    ["maxTokenLength", 64],
  ])("%s: %d is accepted by both", (option, value) => {
    expect(newManager({ [option]: value })).toBeUndefined();
    expect(newRemote({ [option]: value })).toBeUndefined();
  });

  it("an issuer or audience of only whitespace is refused by both", () => {
    for (const option of ["issuer", "audience"]) {
      expect(newManager({ [option]: "  " })?.option).toBe(option);
      expect(newRemote({ [option]: " \t" })?.option).toBe(option);
    }
  });
});

describe("an unknown option is named, with the nearest real one", () => {
  it("RemoteIssuer suggests as AuthManager does", () => {
    expect(newRemote({ audiance: "x" })?.message).toBe('audiance: is not a RemoteIssuer option; did you mean "audience"?');
    expect(newRemote({ leeway: 5 })?.message).toBe('leeway: is not a RemoteIssuer option; did you mean "clockTolerance"?');
    expect(newRemote({ frobnicate: 1 })?.message).toBe("frobnicate: is not a RemoteIssuer option");
    expect(newManager({ leeway: 5 })?.message).toBe('leeway: is not an AuthManager option; did you mean "clockTolerance"?');
  });
});

// Table-driven tests of the matching rules (DESIGN.md, "Semantics"), including every place where
// Flask_PyJWT's _check_claims is wrong.
import { describe, expect, it } from "vitest";
import { JwtConfigError, type JsonValue, type JwtToken, type RequireTokenRules } from "trpc-jwt";
import { matchScope, matchValue } from "trpc-jwt/policy";
import { compileRules } from "../src/policy/compileRules.js";
import { findRuleFailure } from "../src/policy/findRuleFailure.js";
import { matchInput } from "../src/policy/matchInput.js";

type Row = [name: string, required: JsonValue, actual: JsonValue | undefined, expected: boolean];

describe("matchValue", () => {
  const rows: Row[] = [
    ["equal strings", "val", "val", true],
    ["different strings", "val", "Val", false],
    ["true never equals 1 (Flask: True == 1)", true, 1, false],
    ["1 never equals true", 1, true, false],
    ["1 never equals '1'", 1, "1", false],
    ["null equals null", null, null, true],
    ["missing never matches a required value", "x", undefined, false],
    ["missing never matches a required null (missing is not null)", null, undefined, false],
    ["object subset: extra token keys are fine", { a: 1 }, { a: 1, b: 2 }, true],
    ["object: a missing key fails", { a: 1, b: 2 }, { a: 1 }, false],
    ["object against non-object", { a: 1 }, "a", false],
    ["object against array", { 0: 1 }, [1], false],
    ["object against null", { a: 1 }, null, false],
    ["nested object first, later key checked (Flask early-return bug)", { d: { x: 1 }, z: 5 }, { d: { x: 1 }, z: 6 }, false],
    ["nested object first, all keys equal", { d: { x: 1 }, z: 5 }, { d: { x: 1, y: 0 }, z: 5 }, true],
    ["two nested objects, second differs", { a: { x: 1 }, b: { y: 2 } }, { a: { x: 1 }, b: { y: 3 } }, false],
    ["deeply nested mismatch", { a: { b: { c: true } } }, { a: { b: { c: 1 } } }, false],
    ["array subset, any order", ["b", "a"], ["a", "b", "c"], true],
    ["array: a missing element fails", ["a", "d"], ["a", "b", "c"], false],
    ["array: element type-strict", [1], ["1"], false],
    ["array against scalar", ["a"], "a", false],
    ["scalar against array (no membership for literal claims)", "a", ["a"], false],
    ["array of objects: exact element equality", [{ id: 1 }], [{ id: 1 }, { id: 2 }], true],
    ["array of objects: partial element does not count", [{ id: 1 }], [{ id: 1, x: 1 }], false],
    ["empty required array matches any array", [], ["a"], true],
    ["Flask's test_claims against themselves", { c: [1, 2], d: { e: [true] } }, { c: [2, 1, 3], d: { e: [true], f: 0 } }, true],
  ];
  it.each(rows)("%s", (_name, required, actual, expected) => {
    expect(matchValue(required, actual)).toBe(expected);
  });

  it("uses own keys only: prototype names are never present", () => {
    expect(matchValue({ constructor: "x" }, {})).toBe(false);
    expect(matchValue({ toString: "x" }, { a: 1 })).toBe(false);
  });
});

describe("matchScope", () => {
  const rows: Row[] = [
    ["OAuth words: single word", "admin", "admin", true],
    ["OAuth words: word among others, any order", "write read", "read admin write", true],
    ["OAuth words: substring is not a word", "admin", "superadmin", false],
    ["OAuth words: missing word", "read write", "read", false],
    ["OAuth words: string against object scope", "admin", { admin: true }, false],
    ["OAuth words: string against array scope", "admin", ["admin"], false],
    ["OAuth words: missing scope", "admin", undefined, false],
    ["object scope matches recursively", { admin: true }, { admin: true, user: true }, true],
    ["object scope: true vs 1", { admin: true }, { admin: 1 }, false],
    ["object scope: true vs 'true'", { admin: true }, { admin: "true" }, false],
    ["object scope against string scope", { admin: true }, "admin", false],
    ["array scope: subset", ["read"], ["read", "write"], true],
    ["object scope against missing scope", { admin: true }, undefined, false],
  ];
  it.each(rows)("%s", (_name, required, actual, expected) => {
    expect(matchScope(required as string, actual)).toBe(expected);
  });
});

describe("matchInput", () => {
  const sub = [{ claim: "sub", path: ["username"] }];
  const orgs = [{ claim: "orgs", path: ["org", "id"] }];
  const rows: [string, readonly { claim: string; path: readonly string[] }[], Record<string, JsonValue>, unknown, boolean][] = [
    ["claim equals input", sub, { sub: "alice" }, { username: "alice" }, true],
    ["claim differs from input", sub, { sub: "alice" }, { username: "bob" }, false],
    ["case matters", sub, { sub: "alice" }, { username: "Alice" }, false],
    ["number never equals string", [{ claim: "uid", path: ["id"] }], { uid: 7 }, { id: "7" }, false],
    ["string never equals number", [{ claim: "uid", path: ["id"] }], { uid: "7" }, { id: 7 }, false],
    ["numbers match", [{ claim: "uid", path: ["id"] }], { uid: 7 }, { id: 7 }, true],
    ["array claim: membership", orgs, { orgs: ["acme", "globex"] }, { org: { id: "globex" } }, true],
    ["array claim: non-member", orgs, { orgs: ["acme"] }, { org: { id: "globex" } }, false],
    ["nested path missing", orgs, { orgs: ["acme"] }, { org: {} }, false],
    ["absent input never matches (even an absent claim)", sub, {}, {}, false],
    ["absent input value against present claim", sub, { sub: "alice" }, { other: 1 }, false],
    ["undefined input", sub, { sub: "alice" }, undefined, false],
    ["object input value never binds", [{ claim: "o", path: ["o"] }], { o: { a: 1 } }, { o: { a: 1 } }, false],
    ["null input never binds", [{ claim: "o", path: ["o"] }], { o: null }, { o: null }, false],
    ["prototype path is not input", [{ claim: "c", path: ["constructor"] }], { c: "x" }, {}, false],
    ["every binding must hold", [...sub, { claim: "org", path: ["org"] }], { sub: "a", org: "x" }, { username: "a", org: "y" }, false],
  ];
  it.each(rows)("%s", (_name, bindings, claims, input, expected) => {
    expect(matchInput(bindings, claims, input)).toBe(expected);
  });
});

describe("rule order and override (the code findRuleFailure reports)", () => {
  const token = (claims: Record<string, JsonValue>) => ({ claims: { sub: "alice", ...claims }, scope: claims["scope"] }) as unknown as JwtToken;
  const rows: [string, RequireTokenRules, Record<string, JsonValue>, unknown, string | undefined][] = [
    ["all pass", { input: { sub: "u" }, claims: { c: 1 }, scope: "a" }, { c: 1, scope: "a" }, { u: "alice" }, undefined],
    ["claims checked before scope", { claims: { c: 1 }, scope: "a" }, { scope: "b" }, {}, "CLAIMS_MISMATCH"],
    ["input failure is a claims failure", { input: { sub: "u" } }, {}, { u: "bob" }, "CLAIMS_MISMATCH"],
    ["scope failure", { scope: { admin: true } }, { scope: { admin: false } }, {}, "SCOPE_MISMATCH"],
    [
      "override skips input, claims and scope",
      { input: { sub: "u" }, claims: { c: 1 }, scope: "a", override: { admin: true } },
      { admin: true },
      { u: "bob" },
      undefined,
    ],
    ["override is matched against top-level claims, not scope", { scope: "x", override: { admin: true } }, { scope: { admin: true } }, {}, "SCOPE_MISMATCH"],
    ["override is type-strict", { scope: "x", override: { admin: true } }, { admin: 1 }, {}, "SCOPE_MISMATCH"],
    ["refresh-like token without scope fails a scope rule", { scope: "a" }, {}, {}, "SCOPE_MISMATCH"],
  ];
  it.each(rows)("%s", (_name, rules, claims, input, expected) => {
    expect(findRuleFailure(compileRules(rules), token(claims), input)?.code).toBe(expected);
  });
});

describe("compileRules refuses rules that cannot be meant", () => {
  const rows: [string, unknown, string][] = [
    ["unknown rule", { scopes: "a" }, "requireToken.scopes"],
    ["bad type", { type: "AUTH" }, "requireToken.type"],
    ["empty override would pass every token", { override: {} }, "requireToken.override"],
    ["empty claims", { claims: {} }, "requireToken.claims"],
    ["empty scope string", { scope: "" }, "requireToken.scope"],
    ["scope with double space", { scope: "a  b" }, "requireToken.scope"],
    ["empty scope object", { scope: {} }, "requireToken.scope"],
    ["non-JSON claim", { claims: { d: new Date() } }, "requireToken.claims"],
    ["empty input", { input: {} }, "requireToken.input"],
    ["bad input path", { input: { sub: "a..b" } }, "requireToken.input.sub"],
    ["bad cookie name", { cookie: "a b" }, "requireToken.cookie"],
  ];
  it.each(rows)("%s", (_name, rules, option) => {
    expect(() => compileRules(rules as RequireTokenRules)).toThrow(JwtConfigError);
    expect(() => compileRules(rules as RequireTokenRules)).toThrow(expect.objectContaining({ option }));
  });

  it("freezes what it keeps, so later mutation of the caller's object changes nothing", () => {
    const claims = { role: "admin" };
    const compiled = compileRules({ claims });
    claims.role = "user";
    expect(compiled.claims).toEqual({ role: "admin" });
    expect(Object.isFrozen(compiled.claims)).toBe(true);
  });
});

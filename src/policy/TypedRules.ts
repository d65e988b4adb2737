import type { TRPCUnsetMarker } from "@trpc/server";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { RequireTokenRules } from "./compileRules.js";
import type { FittingPath, InputPath } from "./InputPath.js";

/**
 * The only "path" `requireToken({ input })` accepts on a procedure that has no parsed input at
 * that point: a message, so the compile error names the fix. No string literal can be it.
 */
export type InputNeedsInputFirst = "trpc-jwt: no input here; call .input(schema) before .use(requireToken({ input }))" & { readonly __noInput: never };

/**
 * What `requireToken({ input })` accepts for a claim that no input path can equal (a number
 * claim and only string inputs, say): a message naming the claim, so the compile error says why.
 */
export type NoInputFitsClaim<TClaim extends string> = `trpc-jwt: no input path has a type that claim "${TClaim}" fits` & { readonly __noFit: never };

// Where `.use(requireToken({ input }))` comes before `.input()` (or there is no input at all),
// every path is refused with a message that says what to do; elsewhere the paths are `TPaths`.
type InputPathOf<TInput, TPaths = InputPath<TInput>> = 0 extends 1 & TInput ? string : [TInput] extends [TRPCUnsetMarker] ? InputNeedsInputFirst : TPaths;
type AllowedInput<TInput> = 0 extends 1 & TInput ? TInput : [TInput] extends [TRPCUnsetMarker] ? undefined : TInput;

/**
 * The rules `requireToken` accepts on a procedure with input `TInput` whose tokens are `TToken`.
 * Without a claims schema (`TToken` is a plain `JwtToken`), exactly `RequireTokenRules` as
 * before; with one, `input` claim names must be claims of the schema (or registered ones such as
 * `sub`) bound to paths whose type the claim fits (an array claim: its element), and `claims` and
 * `scope` literals must fit the schemas' types.
 */
export type RulesFor<TToken, TInput> =
  IsTyped<TToken> extends true
    ? Omit<RequireTokenRules<InputPathOf<TInput>, AllowedInput<TInput>, TToken>, "input" | "claims" | "scope"> & {
        readonly input?: ClaimBindings<ClaimsOf<TToken>, TInput> | undefined;
        readonly claims?: ClaimRule<ClaimsOf<TToken>> | undefined;
        readonly scope?: ClaimRule<ScopeOf<TToken>> | undefined;
      }
    : RequireTokenRules<InputPathOf<TInput>, AllowedInput<TInput>>;

type ClaimsOf<TToken> = TToken extends JwtToken<infer TClaims, unknown> ? TClaims : never;
type ScopeOf<TToken> = TToken extends JwtToken<object, infer TScope> ? NonNullable<TScope> : never;
// Untyped claims have an index signature (any name is a claim); a schema's have none.
type IsTyped<TToken> = [ClaimsOf<TToken>] extends [never] ? false : string extends keyof ClaimsOf<TToken> ? false : true;

type ClaimBindings<TClaims, TInput> = { readonly [K in keyof TClaims & string]?: BindingPath<TInput, ElementOf<NonNullable<TClaims[K]>>, K> };
type ElementOf<T> = T extends readonly (infer E)[] ? E : T;
type BindingPath<TInput, TClaim, TName extends string> = InputPathOf<TInput, OrMessage<FittingPath<TInput, TClaim>, TName>>;
type OrMessage<TPaths, TName extends string> = [TPaths] extends [never] ? NoInputFitsClaim<TName> : TPaths;

// A literal rule for a typed value, matched as `matchValue` does: objects by the keys given,
// arrays by the elements given, scalars exactly.
type ClaimRule<T> = T extends readonly (infer E)[]
  ? readonly ClaimRule<E>[]
  : T extends object
    ? { readonly [K in keyof T]?: ClaimRule<NonNullable<T[K]>> }
    : T;

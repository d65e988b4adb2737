import { JWT_ERRORS, type JwtErrorCode } from "trpc-jwt";

/**
 * What the server must answer: the procedure's result, a refusal with its code, a bare HTTP
 * status, or (during a fault, where timing decides) any one of several decisions.
 */
export type Decision = { readonly ok: true } | { readonly code: JwtErrorCode } | { readonly status: number } | { readonly anyOf: readonly Decision[] };

export const OK: Decision = { ok: true };
export const refused = (code: JwtErrorCode): Decision => ({ code });
export const anyOf = (...decisions: Decision[]): Decision => ({ anyOf: decisions });

interface TrpcItem {
  readonly result?: unknown;
  readonly error?: { readonly json?: { readonly data?: { readonly jwtCode?: unknown; readonly httpStatus?: unknown } } };
}

/**
 * Whether one response is exactly the decision it must get: the HTTP status, and for tRPC answers
 * the result or the refusal's `jwtCode`. A batch (an array body) must get each decision in order;
 * its HTTP status is 200 when every item agrees, else 207 (tRPC's rule).
 */
export function isDecision(expected: Decision | readonly Decision[], status: number, body: string): boolean {
  if (!Array.isArray(expected)) {
    const one = expected as Decision;
    return "anyOf" in one ? one.anyOf.some((choice) => isDecision(choice, status, body)) : matchOne(one, status, body);
  }
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch {
    return false;
  }
  if (!Array.isArray(items) || items.length !== expected.length) return false;
  const statuses = expected.map(statusOf);
  const batchStatus = statuses.every((s) => s === statuses[0]) ? statuses[0] : 207;
  return status === batchStatus && expected.every((decision, i) => matchItem(decision, items[i] as TrpcItem));
}

function statusOf(decision: Decision): number {
  if ("ok" in decision) return 200;
  if ("code" in decision) return JWT_ERRORS[decision.code].httpStatus;
  if ("status" in decision) return decision.status;
  throw new Error("anyOf is for whole responses, not batch items");
}

function matchOne(expected: Decision, status: number, body: string): boolean {
  if (status !== statusOf(expected)) return false;
  if ("status" in expected) return true;
  let item: unknown;
  try {
    item = JSON.parse(body);
  } catch {
    return false;
  }
  return matchItem(expected, item as TrpcItem);
}

function matchItem(expected: Decision, item: TrpcItem): boolean {
  if (typeof item !== "object" || item === null) return false;
  if ("ok" in expected) return item.result !== undefined && item.error === undefined;
  if ("code" in expected) return item.error?.json?.data?.jwtCode === expected.code;
  return false;
}

import type { AuditEvent, AuditHook } from "./AuditEvent.js";
import { callHook } from "./callHook.js";

/**
 * Tells the `audit` hook, if any, about one operation that has succeeded. The hook runs after the
 * caller's code has its result (a microtask later), so whatever it does cannot change the result:
 * what it throws or rejects with is dropped, and nothing waits for what it returns.
 *
 * @example
 * ```ts
 * emitAudit(options.audit, { event: "login", sub, sid, at: clock() });
 * ```
 */
export function emitAudit(hook: AuditHook | undefined, event: AuditEvent): void {
  if (hook === undefined) return;
  const frozen = Object.freeze(event);
  queueMicrotask(() => callHook(hook, frozen));
}

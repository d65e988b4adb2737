import { onCloudflareWorkers } from "../runtime/onCloudflareWorkers.js";
import type { AuditEvent, AuditHook } from "./AuditEvent.js";
import { callHook } from "./callHook.js";

// A task of its own, not a microtask: a microtask runs before the awaiting caller resumes (inside
// `await auth.login()`) and before tRPC writes the response, so a slow synchronous hook delayed
// both. A zero timeout runs after both; timeouts run in the order they were set, so the events
// keep the operations' order. Except on Cloudflare Workers, which drop a request's timers once its response is returned: there a timeout would lose
// the event, so the hook runs in a microtask, before the caller resumes.
const afterCaller: (run: () => void) => unknown = onCloudflareWorkers ? (run) => queueMicrotask(run) : (run) => setTimeout(run, 0);

/**
 * Tells the `audit` hook, if any, about one operation that has succeeded. The hook runs in a task
 * of its own, after the caller has its result and after a response built from it has been
 * written, so whatever it does can neither change nor delay them (on Workers, a microtask later,
 * so that it is not dropped with the request): what it throws or rejects with is dropped, and
 * nothing waits for what it returns.
 *
 * @example
 * ```ts
 * emitAudit(options.audit, { event: "login", sub, sid, at: clock() });
 * ```
 */
export function emitAudit(hook: AuditHook | undefined, event: AuditEvent): void {
  if (hook === undefined) return;
  const frozen = Object.freeze(event);
  afterCaller(() => callHook(hook, frozen));
}

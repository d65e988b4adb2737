/**
 * Whether this code runs on Cloudflare Workers (workerd), recognised by the `navigator.userAgent`
 * Workers set. Two things differ there: `process.getBuiltinModule("node:crypto")` exists under
 * `nodejs_compat` but is refused (keys/nodeCrypto.ts), and a request's timers are dropped once its
 * response is returned (telemetry/emitAudit.ts). Decided once, here. Module-internal.
 *
 * @example
 * ```ts
 * const schedule = onCloudflareWorkers ? queueMicrotask : (run: () => void) => setTimeout(run, 0);
 * ```
 */
export const onCloudflareWorkers: boolean = globalThis.navigator?.userAgent === "Cloudflare-Workers";

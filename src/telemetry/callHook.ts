/**
 * Calls an app's hook (`onRefused`, `audit`) so that it can change nothing of ours: what it throws
 * is dropped, a promise it returns is not waited for, and its rejection is handled (never an
 * unhandled rejection).
 *
 * @example
 * ```ts
 * callHook(settings.onRefused, { code, reason, path });
 * ```
 */
export function callHook<T>(hook: (event: T) => unknown, event: T): void {
  try {
    const returned: unknown = hook(event);
    if (returned instanceof Promise) returned.catch(() => undefined);
  } catch {
    // The hook's failure is the app's to notice; what it was told about has happened.
  }
}

/**
 * Runs `record`, a call into the registered OpenTelemetry SDK, dropping what it throws: the API
 * promises not to throw, but a span processor or an exporter is any code, and an answer (a
 * refusal, a passed check, a store's reply) must stand whatever it does.
 *
 * @example
 * ```ts
 * quietly(() => instruments()?.keySetFetches.add(1, { outcome }));
 * ```
 */
export function quietly(record: () => void): void {
  try {
    record();
  } catch {
    // The SDK's failure is its own; what was recorded has happened.
  }
}

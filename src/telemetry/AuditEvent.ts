/**
 * What an `audit` event records: `"login"`, `"rotate"` (a refresh token used up for a new pair),
 * `"reuseDetected"` (a used refresh token presented again: its session is revoked),
 * `"revoke"` (logout with a token), `"revokeSession"`, `"revokeSubject"`, `"revokeOtherSessions"`
 * (its `sid` is the session kept), `"apikey.create"` and `"apikey.revoke"` (with `keyId`),
 * `"backchannelLogout"` (a `RemoteIssuer`'s `audit`: an identity provider ended a session, `sid`,
 * or, without one, every session of `sub`; `sub` is empty when its logout token named only a `sid`).
 */
export type AuditEventName =
  | "login"
  | "rotate"
  | "reuseDetected"
  | "revoke"
  | "revokeSession"
  | "revokeSubject"
  | "revokeOtherSessions"
  | "apikey.create"
  | "apikey.revoke"
  | "backchannelLogout";

/**
 * One entry of the audit trail, given to `AuthManager`'s `audit` option after an operation has
 * succeeded. Never token text, claim values or key material: who (`sub`), which session, when.
 *
 * @example
 * ```ts
 * const auth = new AuthManager({ issuer, authType: "HS256", secret, store,
 *   audit: ({ event, sub, sid, at }) => log.info({ event, sub, sid, at: new Date(at).toISOString() }) });
 * ```
 */
export interface AuditEvent {
  readonly event: AuditEventName;
  /** The subject the operation acted on. */
  readonly sub: string;
  /** The session (`sid`) it acted on, when it acted on one. */
  readonly sid?: string;
  /** The id of the API key it acted on, for API key events. */
  readonly keyId?: string;
  /** `login` only: the client's address the app gave `login` (`{ ip }`), when it gave one. */
  readonly ip?: string;
  /** When it succeeded: milliseconds since the epoch, by the manager's `clock`. */
  readonly at: number;
}

/** The `audit` option: told of each operation once, after it succeeded; what it returns or throws is ignored. */
export type AuditHook = (event: AuditEvent) => unknown;

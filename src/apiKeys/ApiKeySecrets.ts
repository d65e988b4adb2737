/**
 * The secrets of API keys, derived from the manager's key material (see `apiKeySecretsOf`).
 * Module-internal; apart from it so that declarations naming it never reach node:crypto's types.
 */
export interface ApiKeySecrets {
  /** The secret of key `id` under the current key material; undefined for a manager that cannot sign. */
  secretOf(id: string): string | undefined;
  /** Whether `secret` is the secret of `id` under the current or a previous key material. */
  matches(id: string, secret: string): boolean;
}

import { apiKeySecretsOf } from "../apiKeys/apiKeySecretsOf.js";
import { ApiKeyVerifier } from "../apiKeys/ApiKeyVerifier.js";
import type { ApiKeyBackend } from "../apiKeys/ApiKeys.js";
import { resolveOptions, type AuthManagerOptions, type ResolvedOptions } from "../config/options.js";
import type { Issuer } from "../issuers/Issuer.js";
import { importKeys } from "../keys/importKeys.js";
import type { KeyRing } from "../keys/KeyRing.js";
import { withRevocationCheck } from "../sessions/RevocationCheck.js";
import { Sessions, type SessionSigner, type TokenPair } from "../sessions/Sessions.js";
import { checkIssued, readSchemas, typedIssued, withSchemas, type ClaimSchemas } from "../tokens/claimSchemas.js";
import { createTokenSigner, type TokenSigner } from "../tokens/createTokenSigner.js";
import { issuePair, issueToken, type IssueRequest, type PairRequest } from "../tokens/issueToken.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";
import { createSignatureStep } from "../tokens/createSignatureStep.js";
import { createVerifier } from "../tokens/createVerifier.js";
import { readClaims } from "../tokens/readClaims.js";

/**
 * What one `AuthManager` runs on, built from its options once: the keys, the signer, the
 * verifiers (with the schemas and, with a store, the revocation check) and the sessions. The
 * manager's public methods are the documented face of it; this is the wiring behind them, held
 * by the manager alone. Module-internal (not exported from the package).
 *
 * @example
 * ```ts
 * const core = new ManagerCore({ issuer: "my-api", authType: "HS256", secret });
 * const token = await core.issue({ type: "refresh", sub: "alice" });
 * ```
 */
export class ManagerCore {
  readonly options: ResolvedOptions;
  /** The signing key (none for a verify-only manager) and the verifying keys; `ready` and `jwks` are theirs. */
  readonly keys: KeyRing;
  readonly schemas: ClaimSchemas | undefined;
  /** With the schemas; no revocation check (the context applies it on every use of a token). */
  readonly verify: Verifier;
  /** `verify`, then the revocation check when there is a store. */
  readonly verifyUnrevoked: Verifier;
  readonly sessions: Sessions;
  /** Checks presented API keys; undefined without a store that keeps them (or without node:crypto). */
  readonly apiKeyVerifier: ApiKeyVerifier | undefined;
  /** What `auth.apiKeys` runs on. */
  readonly apiKeys: ApiKeyBackend;
  // Undefined for a verify-only manager.
  readonly #sign: TokenSigner | undefined;

  constructor(options: AuthManagerOptions & { readonly claims?: unknown; readonly scope?: unknown }) {
    const { claims, scope, ...rest } = options;
    this.options = resolveOptions(rest);
    this.schemas = readSchemas({ claims, scope });
    this.keys = importKeys(this.options);
    this.#sign = this.keys.signing === undefined ? undefined : createTokenSigner(this.keys.signing);
    const verify = createVerifier(this.options, { signature: createSignatureStep(this.keys.alg, this.keys), claims: readClaims });
    this.verify = this.schemas === undefined ? verify : withSchemas(verify, this.schemas);
    this.sessions = this.#createSessions();
    this.verifyUnrevoked = withRevocationCheck(this.verify, this.sessions.revocationCheck);
    const { apiKeyPrefix: prefix, store, clock, issuer, cacheSize, audit } = this.options;
    const secrets = apiKeySecretsOf(this.keys, issuer);
    const check = this.sessions.revocationCheck;
    this.apiKeyVerifier =
      secrets === undefined || check === undefined || store?.apiKeys === undefined
        ? undefined
        : new ApiKeyVerifier({ prefix, issuer, cacheSize, secrets, check, schemas: this.schemas });
    this.apiKeys = { prefix, issuer, clock, store: store?.apiKeys, secrets, check, audit, refused: (fields) => this.refused(fields) };
    Object.freeze(this);
  }

  /**
   * An issuing call that must not start, as its rejection: a verify-only manager (no secret), or
   * scope or claims that fail the schemas, found before anything is read, signed or used up.
   * Undefined when it may go on.
   */
  refused(fields: { readonly scope?: unknown; readonly claims?: unknown }): Promise<never> | undefined {
    try {
      this.keys.signingKey();
      if (this.schemas !== undefined) checkIssued(this.schemas, fields);
      return undefined;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A sessionless token (`authToken`, `refreshToken`): refused (see `refused`) before the store
   * is read for the subject's revocation generation, which it then carries. Auth tokens come back
   * as verification will see them.
   */
  issue(request: Omit<IssueRequest, "generation"> & { readonly sub: string }): Promise<JwtToken> {
    const { type, sub, scope, claims } = request;
    const schemas = this.schemas;
    // The request written out, not spread ({ ...request, generation }): measured, authToken ran at three quarters of this speed.
    const issued =
      this.refused(request) ??
      this.sessions.generationOf(sub).then((generation) => issueToken(this.options, this.#signer(), { type, sub, scope, claims, generation }));
    return schemas === undefined ? issued : issued.then((token) => typedIssued(token, schemas));
  }

  /** The two tokens of a login or rotation, signed in one step (see `issuePair`). */
  issuePair(request: PairRequest): TokenPair | Promise<TokenPair> {
    const pair = issuePair(this.options, this.#signer(), request);
    const schemas = this.schemas;
    if (schemas === undefined) return pair;
    const typed = ({ authToken, refreshToken }: TokenPair) => ({ authToken: typedIssued(authToken, schemas), refreshToken });
    return pair instanceof Promise ? pair.then(typed) : typed(pair);
  }

  /** What a request context needs of the manager (see `Issuer`). */
  issuer(): Issuer {
    const { issuer, clock, clockTolerance } = this.options;
    return { issuer, verify: this.verify, now: clock, tolerance: clockTolerance, revocation: this.sessions.revocationCheck, apiKeys: this.apiKeyVerifier };
  }

  // Every issuing call has passed `refused`, which a verify-only manager fails: there, signingKey throws its JwtConfigError.
  #signer(): TokenSigner {
    return this.#sign ?? createTokenSigner(this.keys.signingKey());
  }

  #createSessions(): Sessions {
    const signer: SessionSigner = {
      issuePair: (sub, scope, claims, session, rot) => this.issuePair({ sub, scope, claims, session, rot }),
      verify: (signed, type) => Promise.resolve(this.verify(signed, type)),
    };
    // The resolved options are its SessionOptions (as they are the VerifyPolicy and IssuePolicy), with the longest lifetime added.
    return new Sessions(signer, { ...this.options, maxTokenLifetime: Math.max(this.options.authMaxAge, this.options.refreshMaxAge) });
  }
}

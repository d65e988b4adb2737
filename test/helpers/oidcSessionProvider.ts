// A real OpenID provider (oidc-provider) on 127.0.0.1 with user sessions: the authorization-code
// flow (the interaction finished in-process, no UI), JWT access tokens for API_AUDIENCE carrying
// the session's `sid`, and Back-Channel Logout to one registered client. `endSession` is what a
// user's "sign out" at the provider does: RP-initiated logout with the session's cookies, which
// makes the provider POST a logout token to the client's backchannel_logout_uri before it answers.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { API_AUDIENCE } from "./oidcProvider.js";
import { nextRsaKeyPair } from "./rsaKeys.js";

export const WEB_CLIENT = { id: "web-app", secret: "web-app-secret-0123456789abcdef" };
const REDIRECT_URI = "http://127.0.0.1/callback";

/** What one login at the provider yields: its tokens, and the browser cookies of its session. */
export interface ProviderLogin {
  readonly accessToken: string;
  readonly idToken: string;
  readonly cookies: Map<string, string>;
}

// What the harness needs of oidc-provider beyond the typed surface (see oidc-provider.d.ts).
interface ProviderInternals {
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ params: Record<string, unknown> }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options: object): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  };
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

/** Starts the provider's HTTP server; `configure(backchannelLogoutUri)` then makes the provider. */
export async function startSessionProvider() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let provider: ProviderInternals | undefined;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (provider === undefined) return void res.writeHead(503).end();
    if (req.url?.startsWith("/interaction/")) return void finishInteraction(provider, req, res).catch(() => res.writeHead(500).end());
    provider.callback()(req, res);
  });

  async function send(path: string, cookies: Map<string, string>, init: RequestInit = {}): Promise<Response> {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(new URL(path, issuer), { ...init, redirect: "manual", headers: { ...(init.headers as object), cookie } });
    for (const set of response.headers.getSetCookie()) {
      const [pair = ""] = set.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }

  return {
    issuer,
    /** Makes the provider, its one client registered with `backchannelLogoutUri`. */
    configure(backchannelLogoutUri: string): void {
      provider = new Provider(issuer, configuration(backchannelLogoutUri)) as unknown as ProviderInternals;
    },
    /**
     * A user's login in a new browser: a new session at the provider (its own `sid`). With a
     * `nonce`, the authorization request carries it and the ID token gets it back.
     */
    async login(accountId: string, { nonce }: { nonce?: string } = {}): Promise<ProviderLogin> {
      const cookies = new Map<string, string>();
      const query = new URLSearchParams({
        client_id: WEB_CLIENT.id,
        response_type: "code",
        redirect_uri: REDIRECT_URI,
        scope: "openid",
        resource: API_AUDIENCE,
        login_hint: accountId,
        ...(nonce === undefined ? {} : { nonce }),
      });
      let location = `/auth?${query}`;
      for (let hops = 0; !location.startsWith(REDIRECT_URI); hops++) {
        if (hops > 8) throw new Error("login: too many redirects");
        const response = await send(location, cookies);
        const next = response.headers.get("location");
        if (next === null) throw new Error(`login: ${response.status} at ${location}`);
        location = next.startsWith(issuer) ? next.slice(issuer.length) : next;
      }
      const code = new URL(location).searchParams.get("code") ?? "";
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${WEB_CLIENT.id}:${WEB_CLIENT.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, resource: API_AUDIENCE }),
      });
      const body = (await response.json()) as { access_token?: string; id_token?: string };
      if (typeof body.access_token !== "string" || typeof body.id_token !== "string")
        throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
      return { accessToken: body.access_token, idToken: body.id_token, cookies };
    },
    /**
     * Signs the user out at the provider (RP-initiated logout, confirmed): resolves once the
     * provider has answered, which it does after its back-channel logout request was answered.
     */
    async endSession(login: ProviderLogin): Promise<void> {
      const query = new URLSearchParams({ id_token_hint: login.idToken, client_id: WEB_CLIENT.id });
      const page = await (await send(`/session/end?${query}`, login.cookies)).text();
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
      if (xsrf === undefined) throw new Error("end_session: no confirmation form");
      const confirmed = await send("/session/end/confirm", login.cookies, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }),
      });
      if (confirmed.status >= 400) throw new Error(`end_session confirm: ${confirmed.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SessionProvider = Awaited<ReturnType<typeof startSessionProvider>>;

// The interaction a login page would run: the user named by login_hint logs in and consents.
async function finishInteraction(provider: ProviderInternals, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { params } = await provider.interactionDetails(req, res);
  const accountId = String(params["login_hint"]);
  const grant = new provider.Grant({ accountId, clientId: WEB_CLIENT.id });
  grant.addOIDCScope("openid");
  grant.addResourceScope(API_AUDIENCE, "read");
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

// The confirmation page: only its form (the default page says it should be customised).
function logoutPage(ctx: { body: string }, form: string): void {
  ctx.body = form;
}

function configuration(backchannelLogoutUri: string) {
  const { privateKey } = nextRsaKeyPair();
  return {
    clients: [
      {
        client_id: WEB_CLIENT.id,
        client_secret: WEB_CLIENT.secret,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: [REDIRECT_URI],
        backchannel_logout_uri: backchannelLogoutUri,
        backchannel_logout_session_required: true,
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" }] },
    cookies: { keys: [randomUUID()] },
    findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId }) }),
    pkce: { required: () => false },
    // oidc-provider refuses to POST to special-use addresses (SSRF protection); the relying party
    // here is on 127.0.0.1, so the harness sends without that dispatcher.
    fetch: (url: string, { dispatcher: _dispatcher, ...options }: RequestInit & { dispatcher?: unknown }) => fetch(url, options),
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // The session's sid in access tokens, so that a logout of that session reaches them.
    extraTokenClaims: (_ctx: unknown, token: { sid?: string }) => (token.sid === undefined ? undefined : { sid: token.sid }),
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "read",
          audience: API_AUDIENCE,
          accessTokenFormat: "jwt",
          accessTokenTTL: 600,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  };
}

// #22.3: revokeSubject(sub) refuses every token of sub issued before it and none issued after it
// returned, in the same millisecond, with the issuing manager's clock 1 s behind or ahead of the
// revoking one (frozen clocks: every call happens "at once"); memoryStore() and a real redis-server.
import { describe, expect, it } from "vitest";
import { AuthManager, memoryStore, type JwtToken, type TokenStore } from "trpc-jwt";
import { optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { useRedisStores } from "./helpers/useRedisStores.js";

const ROUNDS = 50;

function subjectRevocation(openStore: () => Promise<TokenStore>) {
  it.each([
    ["in step with", 0],
    ["1 s behind", -1000],
    ["1 s ahead of", 1000],
  ])(
    `issuing clock %s the revoking one: ${ROUNDS} rounds of revokeSubject then login / authToken / refreshToken / rotate in the same millisecond`,
    async (_, offsetMs) => {
      const store = await openStore();
      const now = Date.now();
      const revoker = new AuthManager(optionsFor("HS256", { store, clock: () => now }));
      const issuer = new AuthManager(optionsFor("HS256", { store, clock: () => now + offsetMs }));
      const sub = `user-${offsetMs}-${crypto.randomUUID()}`;
      const issuedBefore: JwtToken[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const session = await issuer.login(sub);
        const before = [session.authToken, session.refreshToken, await issuer.authToken(sub), await issuer.refreshToken(sub), await revoker.authToken(sub)];
        await revoker.revokeSubject(sub);
        const login = await issuer.login(sub);
        const rotated = await issuer.rotate(login.refreshToken);
        const accepted = [
          login.authToken,
          rotated.authToken,
          rotated.refreshToken,
          await issuer.authToken(sub),
          await issuer.refreshToken(sub),
          await revoker.authToken(sub),
        ];
        for (const verifier of [revoker, issuer]) {
          for (const token of accepted) expect((await verifier.verifyToken(token.signed)).sub, `round ${round}`).toBe(sub);
        }
        for (const token of before) await expect(issuer.verifyToken(token.signed), `round ${round}`).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
        issuedBefore.push(...before, ...accepted);
      }
      // One more revocation: every token of every round is refused by both managers.
      await revoker.revokeSubject(sub);
      for (const verifier of [revoker, issuer]) {
        for (const token of issuedBefore) await expect(verifier.verifyToken(token.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
      }
    },
    60_000,
  );

  it("a token without sub_gen (a manager without the store, sharing the key) issued before the revocation by a clock 1 s ahead is refused", async () => {
    const store = await openStore();
    const now = Date.now();
    const revoker = new AuthManager(optionsFor("HS256", { store, clock: () => now }));
    const ahead = new AuthManager(optionsFor("HS256", { clock: () => now + 1000 }));
    const sub = `user-${crypto.randomUUID()}`;
    const early = await ahead.authToken(sub);
    expect(early.claims["sub_gen"]).toBeUndefined();
    await revoker.revokeSubject(sub);
    await expect(revoker.verifyToken(early.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
  });

  it("sub_gen is reserved: extra claims cannot set it", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: await openStore() }));
    await expect(auth.authToken("alice", undefined, { sub_gen: Number.MAX_SAFE_INTEGER })).rejects.toMatchObject({ option: "claims.sub_gen" });
  });
}

describe("revokeSubject and what is issued right after it, memoryStore()", () => {
  subjectRevocation(async () => memoryStore());
});

describe.runIf(hasRedisServer())("revokeSubject and what is issued right after it, redisStore() on a real redis-server", () => {
  subjectRevocation(useRedisStores().open);
});

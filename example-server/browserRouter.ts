import { initTRPC, TRPCError } from "@trpc/server";
import { octetInputParser } from "@trpc/server/http";
import { z } from "zod";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, type AuthManager, type JwtContextConfig } from "trpc-jwt";
import { checkPassword, findUser } from "./users.js";

/**
 * The browser example's API: a cookie session (tokens in HttpOnly cookies, never in scripts),
 * double-submit CSRF on every mutation, and notes to prove which mutations went through.
 * `secure: false` because the demo runs on plain http://127.0.0.1; in production leave the
 * default (`__Host-` cookies, Secure).
 */
export function createBrowserRouter(auth: AuthManager, onRefused?: JwtContextConfig["onRefused"]) {
  const createContext = createJwtContext(auth, { cookies: { secure: false }, onRefused });
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure } = createJwtProcedures(t);
  const notes = new Map<string, string[]>();
  const addNote = (sub: string, text: string) => {
    notes.set(sub, [...(notes.get(sub) ?? []), text]);
    return notes.get(sub);
  };

  const browserRouter = t.router({
    // The response sets the cookies; the body carries no token.
    login: t.procedure.input(z.object({ username: z.string(), password: z.string() })).mutation(async ({ ctx, input }) => {
      const user = checkPassword(input.username, input.password);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid username or password" });
      ctx.jwt.setTokens(await auth.login(user.username, user.scope, user.claims));
      return { username: user.username };
    }),
    // Reads the refresh cookie (with the CSRF header), rotates the session, sets new cookies.
    refresh: refreshProcedure.mutation(async ({ ctx }) => {
      const user = findUser(ctx.token.sub);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Unknown user" });
      ctx.jwt.setTokens(await auth.rotate(ctx.token, { scope: user.scope, claims: user.claims }));
      return { refreshed: true };
    }),
    logout: authedProcedure.mutation(async ({ ctx }) => {
      await auth.revoke(ctx.token);
      ctx.jwt.clearTokens();
      return "logged out";
    }),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    notes: authedProcedure.query(({ ctx }) => notes.get(ctx.token.sub) ?? []),
    // The three bodies tRPC accepts on POST, each a mutation the CSRF check guards.
    addNote: authedProcedure.input(z.object({ text: z.string() })).mutation(({ ctx, input }) => addNote(ctx.token.sub, input.text)),
    uploadNote: authedProcedure.input(z.instanceof(FormData)).mutation(({ ctx, input }) => addNote(ctx.token.sub, String(input.get("text")))),
    blobNote: authedProcedure.input(octetInputParser).mutation(async ({ ctx, input }) => addNote(ctx.token.sub, await new Response(input).text())),
  });
  return { browserRouter, createContext };
}

/** The browser API's type, for the page's `createTRPCClient<BrowserRouter>`. */
export type BrowserRouter = ReturnType<typeof createBrowserRouter>["browserRouter"];

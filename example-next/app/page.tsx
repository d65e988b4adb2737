// A Server Component: reads the user through createCaller from headers() (the request's
// cookies), renders the notes, and offers a Server Action; the client components log in, call
// the API from the browser and log out.
import { jwtErrorCode } from "trpc-jwt/client";
import { cookies } from "next/headers";
import { authLifetime, EXPIRY_HINT_COOKIE, serverCaller } from "../lib/server";
import { addNote } from "./actions";
import { LoginForm, LogoutButton, WhoAmI } from "./session";

export const dynamic = "force-dynamic";

export default async function Home() {
  const caller = await serverCaller();
  // An expired auth cookie (401 TOKEN_EXPIRED, or no auth cookie left while the expiry hint
  // says the session goes on): a Server Component cannot set cookies, so the browser's client
  // refreshes (WhoAmI below) and renders the page again.
  const expired = "expired" as const;
  const session =
    (await caller.session().catch((error: unknown) => {
      if (jwtErrorCode(error) === "TOKEN_EXPIRED") return expired;
      throw error;
    })) ?? ((await cookies()).has(EXPIRY_HINT_COOKIE) ? expired : null);
  if (session === null) {
    return (
      <main>
        <h1>trpc-jwt on Next.js</h1>
        <p id="signed-out">Not signed in.</p>
        <LoginForm />
      </main>
    );
  }
  const notes: string[] = session === "expired" ? [] : await caller.notes.list();
  return (
    <main>
      <h1>trpc-jwt on Next.js</h1>
      <p id="server-user">
        {session === "expired" ? "Session expired: call the API to refresh it." : `Signed in as ${session.username} (read in a Server Component).`}
      </p>
      <form action={addNote}>
        <input name="text" aria-label="note" required />
        <button id="add-note">Add a note (Server Action)</button>
      </form>
      <ul id="notes">
        {notes.map((note, index) => (
          <li key={index}>{note}</li>
        ))}
      </ul>
      <WhoAmI authLifetime={authLifetime} />
      <LogoutButton authLifetime={authLifetime} />
    </main>
  );
}

"use client";
// Client components: they call the API at /trpc with the typed client (cookieRefreshLink).
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { jwtErrorAction } from "trpc-jwt/client";
import { trpc } from "../lib/client";

const LOGIN_LIFETIME = 300; // before login there is no session to refresh: any value will do

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState("");
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await trpc(LOGIN_LIFETIME).auth.login.mutate({ username: String(form.get("username")), password: String(form.get("password")) });
      router.refresh(); // the Server Component reads the new cookies
    } catch {
      setError("Wrong username or password.");
    }
  }
  return (
    <form id="login" onSubmit={(event) => void submit(event)}>
      <input name="username" defaultValue="alice" autoComplete="username" aria-label="username" />
      <input name="password" type="password" defaultValue="wonderland" autoComplete="current-password" aria-label="password" />
      <button>Log in</button>
      <output>{error}</output>
    </form>
  );
}

/** Calls the guarded `me` procedure from the browser; the link refreshes an expired auth cookie first. */
export function WhoAmI({ authLifetime }: { authLifetime: number }) {
  const router = useRouter();
  const [answer, setAnswer] = useState("");
  async function ask() {
    try {
      const me = await trpc(authLifetime).me.query();
      setAnswer(`The API says: ${me}`);
      router.refresh(); // after a refresh, the Server Component sees the new cookie
    } catch (error) {
      setAnswer(`The API refused (${jwtErrorAction(error) ?? "error"})`);
    }
  }
  return (
    <p>
      <button id="whoami" onClick={() => void ask()}>
        Who am I? (client call)
      </button>{" "}
      <output id="whoami-answer">{answer}</output>
    </p>
  );
}

export function LogoutButton({ authLifetime }: { authLifetime: number }) {
  const router = useRouter();
  async function logout() {
    await trpc(authLifetime).auth.logout.mutate();
    router.refresh();
  }
  return (
    <button id="logout" onClick={() => void logout()}>
      Log out
    </button>
  );
}

"use server";
// A Server Action: runs on the server, authenticated by the request's cookies through the same
// guarded procedure as the HTTP API. Next.js accepts actions only as same-origin POSTs.
import { revalidatePath } from "next/cache";
import { serverCaller } from "../lib/server";

export async function addNote(form: FormData): Promise<void> {
  const caller = await serverCaller();
  await caller.notes.add({ text: String(form.get("text") ?? "") });
  revalidatePath("/");
}

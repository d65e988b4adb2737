// The tRPC API over HTTP at /trpc: the client's calls, including login, refresh and logout,
// which set their cookies through the fetch adapter's response headers.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, createContext } from "../../../lib/server";

function handler(req: Request) {
  return fetchRequestHandler({ endpoint: "/trpc", req, router: appRouter, createContext });
}
export { handler as GET, handler as POST };

import { connect } from "node:net";

/**
 * A hand-written HTTP/1.1 GET on 127.0.0.1: HTTP clients merge or refuse duplicated headers, a
 * socket does not. `url` is the server's base (`http://127.0.0.1:port/prefix`).
 */
export function rawGet(url: string, path: string, headerLines: string[]): Promise<{ status: number; body: string }> {
  const { port, pathname } = new URL(url);
  const base = pathname.endsWith("/") ? pathname : `${pathname}/`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write([`GET ${base}${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headerLines, "", ""].join("\r\n"));
    });
    let raw = "";
    socket.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = raw.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") });
    });
  });
}

import { JwtConfigError } from "../errors.js";
import { maskIp, parseIp } from "../rateLimit/ipAddress.js";
import { headerValues, type JwtContextOptions } from "./readCredential.js";

/** A parsed CIDR: its family, network bits as a number, and prefix length. */
interface Cidr {
  readonly v6: boolean;
  readonly network: bigint;
  readonly bits: number;
}

/**
 * Parses the `trustedProxies` option: CIDRs (`"10.0.0.0/8"`, `"::1/128"`) or single addresses.
 * Throws `JwtConfigError` naming `trustedProxies` for anything else. Module-internal.
 *
 * @example
 * ```ts
 * const trusted = trustedProxiesOf(["127.0.0.0/8", "::1"]);
 * ```
 */
export function trustedProxiesOf(value: unknown): readonly Cidr[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new JwtConfigError("trustedProxies", 'must be a non-empty list of CIDRs, e.g. ["10.0.0.0/8"]');
  return value.map((entry: unknown, i) => {
    const [address = "", prefix, ...rest] = typeof entry === "string" ? entry.split("/") : [];
    const parsed = parseIp(address);
    const max = parsed?.v6 === true ? 128 : 32;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (parsed === undefined || rest.length > 0 || !(bits >= 0 && bits <= max)) {
      throw new JwtConfigError(`trustedProxies[${i}]`, 'must be an IPv4 or IPv6 address or CIDR, e.g. "10.0.0.0/8" or "fd00::/8"');
    }
    return { v6: parsed.v6, network: maskIp(parsed.value, bits, max), bits };
  });
}

/**
 * The client's address: the socket's; with `trusted` proxies, the rightmost `X-Forwarded-For`
 * hop (after the socket's own address) that is not one of them, its port dropped
 * (`203.0.113.9:51234`, `[2001:db8::1]:51234`); a hop that is no address is returned as written. Without `trusted`, forwarded
 * headers are never read: anyone can send them. `undefined` where no socket is known (a fetch
 * adapter's `Request`, a server-side call). Module-internal.
 *
 * @example
 * ```ts
 * clientIp(opts, trustedProxiesOf(["127.0.0.0/8"])); // "203.0.113.7"
 * ```
 */
export function clientIp(opts: JwtContextOptions, trusted: readonly Cidr[] | undefined): string | undefined {
  const socket = socketAddress(opts.req);
  if (socket === undefined || trusted === undefined) return socket;
  const hops = headerValues(opts.req, "x-forwarded-for").flatMap((value) => value.split(",").map((hop) => hop.trim()));
  let client = socket;
  // From the right: each trusted hop vouches for the one before it; the first untrusted one is the client.
  while (isTrusted(client, trusted)) {
    const previous = hops.pop();
    if (previous === undefined) return client;
    client = hopAddress(previous);
  }
  return client;
}

// A hop as a trusted proxy wrote it: an address, with a port for some (Azure Application Gateway
// writes `203.0.113.9:51234`, others `[2001:db8::1]:51234`), which is dropped. Any other text
// ("unknown", an obfuscated id) is kept as written: the proxy tells us no more of that client,
// and the proxy's own address (every client's bucket at once) would be wrong.
function hopAddress(hop: string): string {
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(hop) ?? /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(hop);
  const address = withPort?.[1] ?? hop;
  return parseIp(address) === undefined ? hop : normalize(address);
}

function socketAddress(req: JwtContextOptions["req"]): string | undefined {
  const node = ("raw" in req ? req.raw : req) as { socket?: { remoteAddress?: unknown } };
  const address = node.socket?.remoteAddress;
  return typeof address === "string" ? normalize(address) : undefined;
}

// An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d: it is the IPv4 address.
function normalize(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

function isTrusted(address: string, trusted: readonly Cidr[]): boolean {
  const parsed = parseIp(address);
  return parsed !== undefined && trusted.some(({ v6, network, bits }) => v6 === parsed.v6 && maskIp(parsed.value, bits, v6 ? 128 : 32) === network);
}

// IP addresses as the rate limiter and the client address reader (trpc/clientIp.ts) see them.

/**
 * The bucket an address stands for in a rate limit: an IPv4 address itself; an IPv6 address as its
 * `/ipv6Subnet` network (`2001:db8:1:2:0:0:0:0/64`), since one subscriber holds a whole /64 (or
 * more) and could otherwise take a fresh bucket per address; itself when `ipv6Subnet` is 128.
 * Anything else as it is. Module-internal.
 *
 * @example
 * ```ts
 * ipBucket("2001:db8:1:2::a", 64); // "2001:db8:1:2:0:0:0:0/64"
 * ```
 */
export function ipBucket(ip: string, ipv6Subnet: number): string {
  const parsed = parseIp(ip);
  if (parsed?.v6 !== true || ipv6Subnet === 128) return ip;
  const network = maskIp(parsed.value, ipv6Subnet, 128);
  const groups = Array.from({ length: 8 }, (_, i) => ((network >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(":")}/${ipv6Subnet}`;
}

/**
 * `value` (an address of `max` bits) with all but its first `bits` bits cleared: its network.
 *
 * @example
 * ```ts
 * maskIp(0xc0a80105n, 24, 32); // 0xc0a80100n (192.168.1.0)
 * ```
 */
export function maskIp(value: bigint, bits: number, max: number): bigint {
  return bits === 0 ? 0n : (value >> BigInt(max - bits)) << BigInt(max - bits);
}

/**
 * An IPv4 (`a.b.c.d`) or IPv6 address (`::` and an embedded IPv4 tail allowed) as its family and
 * value; `undefined` for anything else (no port, brackets or zone). Module-internal.
 *
 * @example
 * ```ts
 * parseIp("2001:db8::1"); // { v6: true, value: 0x20010db8000000000000000000000001n }
 * ```
 */
export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v6: false, value: v4 };
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split("::").length > 2) return undefined;
  const lastColon = text.lastIndexOf(":");
  const embedded = parseV4(text.slice(lastColon + 1));
  const tail = embedded === undefined ? text : `${text.slice(0, lastColon + 1)}${(embedded >> 16n).toString(16)}:${(embedded & 0xffffn).toString(16)}`;
  const [head = "", rest] = tail.split("::");
  const parts = (s: string) => (s === "" ? [] : s.split(":"));
  const [left, right] = [parts(head), rest === undefined ? [] : parts(rest)];
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  if (fill < (rest === undefined ? 0 : 1) || left.length + right.length + fill !== 8) return undefined;
  const groups = [...left, ...Array<string>(fill).fill("0"), ...right];
  if (!groups.every((part) => /^[0-9a-f]{1,4}$/i.test(part))) return undefined;
  return { v6: true, value: groups.reduce((sum, part) => (sum << 16n) | BigInt(parseInt(part, 16)), 0n) };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((sum, part) => (sum << 8n) | BigInt(part), 0n);
}

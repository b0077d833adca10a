import { isIPv4, isIPv6 } from "node:net";

/** How many leading bits of an IPv6 address one sender holds: a home or a server gets a whole /64. */
export const IPV6_SENDER_PREFIX_BITS = 64;

/**
 * The key a per-IP limit counts an address under: an IPv4 address as it is,
 * an IPv6 address by its /64 (`2001:db8:1:2::/64`), since one subscriber
 * can use any of the 2^64 addresses in it. IPv4-mapped IPv6 counts as its IPv4.
 */
export function ipLimitKey(address: string): string {
  const withoutZone = address.replace(/%.*$/, "");
  if (isIPv4(withoutZone)) return withoutZone;
  if (!isIPv6(withoutZone)) return address;
  const groups = ipv6Groups(withoutZone);
  if (groups.slice(0, 6).join(":") === "0:0:0:0:0:65535") {
    return [groups[6]!, groups[7]!].map((g) => [g >> 8, g & 0xff].join(".")).join(".");
  }
  const prefix = groups.slice(0, IPV6_SENDER_PREFIX_BITS / 16).map((g) => g.toString(16));
  return `${prefix.join(":")}::/${IPV6_SENDER_PREFIX_BITS}`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` and a trailing dotted IPv4 expanded. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

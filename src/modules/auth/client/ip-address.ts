import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Client IP helpers on `ipaddr.js` (parsing, IPv4-mapped IPv6, hextets, CIDR networks). Which
 * strings count as an IP stays node:net `isIP` (what Node itself accepts): ipaddr.js also takes
 * the legacy IPv4 forms (`127.1`, `0x7f.0.0.1`, `2130706433`, leading zeros) that must stay
 * "not an IP" here. Outputs are stored (hashes, masks, throttle keys), so the strings are exactly
 * what the previous hand-written parser produced (test/unit/auth/ip-address.spec.ts).
 */
type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** `ip` parsed, or null when Node does not take it for an IP. A zone id (`%eth0`) is ignored. */
function parseIp(ip: string): Address | null {
  const version = isIP(ip);
  if (version === 4) return ipaddr.IPv4.parse(ip);
  return version === 6 ? parseIpv6(ip) : null;
}

/**
 * ipaddr.js reads the deprecated IPv4-compatible form `::a.b.c.d` as IPv4-mapped
 * (`::ffff:a.b.c.d`); RFC 4291 and Python's `ipaddress` give `::0:a.b.c.d`, so it is spelled so.
 */
function parseIpv6(ip: string): ipaddr.IPv6 {
  return ipaddr.IPv6.parse(withoutZone(ip).replace(/^::(?=\d+\.)/, '::0:'));
}

function withoutZone(ip: string): string {
  const zone = ip.indexOf('%');
  return zone < 0 ? ip : ip.slice(0, zone);
}

/**
 * The client IP as the app sees it after trusted-proxy resolution (`request.ip`), canonical:
 * trimmed, zone id dropped, and IPv4-mapped IPv6 written `::ffff:203.0.113.5` (what a dual-stack
 * Node socket reports for IPv4 peers) turned back into IPv4, as the reference's ASGI server
 * reported it. Otherwise the text is kept as given, lowercased (not re-compressed). Null when
 * absent or not an IP.
 */
export function normalizeIp(raw: string | null | undefined): string | null {
  const ip = withoutZone((raw ?? '').split(',')[0].trim()).toLowerCase();
  const address = parseIp(ip);
  if (!address) return null;
  if (
    address instanceof ipaddr.IPv6 &&
    address.isIPv4MappedAddress() &&
    ip.startsWith('::ffff:') &&
    ip.includes('.')
  ) {
    return address.toIPv4Address().toString();
  }
  return ip;
}

/** `203.0.113.*`, or the first four exploded IPv6 hextets then `*:*:*:*`. */
export function maskIp(ip: string | null): string | null {
  const address = ip ? parseIp(ip) : null;
  if (!address) return null;
  if (address instanceof ipaddr.IPv4) return `${address.octets.slice(0, 3).join('.')}.*`;
  return `${hextets(address).slice(0, 4).join(':')}:*:*:*:*`;
}

/** SHA-256 hex of `salt || ip` (the reference's `ip_hash`); null without an IP. */
export function hashIp(salt: string, ip: string | null): string | null {
  if (!ip) return null;
  return createHash('sha256').update(`${salt}${ip}`, 'utf8').digest('hex');
}

/** The IP itself and, for IPv4, its `/24` (the entities the login IP throttle counts). */
export function ipThrottleTokens(ip: string | null): string[] {
  if (!ip) return [];
  if (isIP(ip) !== 4) return [ip];
  return [ip, `${ipaddr.IPv4.networkAddressFromCIDR(`${ip}/24`).toString()}/24`];
}

/** Eight four-digit hextets of an IPv6 address, as Python's `IPv6Address.exploded`. */
export function explodeIpv6(ip: string): string[] {
  return hextets(parseIpv6(ip));
}

function hextets(address: ipaddr.IPv6): string[] {
  return address.parts.map((part) => part.toString(16).padStart(4, '0'));
}

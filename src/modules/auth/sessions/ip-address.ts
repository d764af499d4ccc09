import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The client IP as the app sees it after trusted-proxy resolution (`request.ip`), canonical:
 * trimmed, zone id dropped, and IPv4-mapped IPv6 (`::ffff:203.0.113.5`, what a dual-stack Node
 * socket reports for IPv4 peers) turned back into IPv4, as the reference's ASGI server reported it.
 * Null when absent or not an IP.
 */
export function normalizeIp(raw: string | null | undefined): string | null {
  let ip = (raw ?? '').split(',')[0].trim();
  if (!ip) return null;
  ip = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) ip = mapped[1];
  return isIP(ip) ? ip.toLowerCase() : null;
}

/** `203.0.113.*`, or the first four exploded IPv6 hextets then `*:*:*:*` (spec auth 3.4). */
export function maskIp(ip: string | null): string | null {
  if (!ip) return null;
  const version = isIP(ip);
  if (version === 4) return `${ip.split('.').slice(0, 3).join('.')}.*`;
  if (version === 6) return `${explodeIpv6(ip).slice(0, 4).join(':')}:*:*:*:*`;
  return null;
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
  return [ip, `${ip.split('.').slice(0, 3).join('.')}.0/24`];
}

/** Eight four-digit hextets, as Python's `IPv6Address.exploded`. */
export function explodeIpv6(ip: string): string[] {
  let text = ip.toLowerCase();
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = text.slice(0, -dotted[1].length) + tail;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((h) => h.padStart(4, '0'));
}

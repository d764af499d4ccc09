import { Fernet } from '../../../src/modules/auth/sessions/fernet';
import {
  explodeIpv6,
  hashIp,
  ipThrottleTokens,
  maskIp,
  normalizeIp,
} from '../../../src/modules/auth/client/ip-address';
import { classifyUserAgent } from '../../../src/modules/auth/client/user-agent';
import { storableUserAgent } from '../../../src/modules/auth/client/client-info';
import { createHash } from 'node:crypto';

describe('user-agent classifier', () => {
  const cases: [string, string | null, string | null, string | null][] = [
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      'macOS',
      'Chrome',
      'desktop',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0',
      'Windows',
      'Edge',
      'desktop',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      'iOS',
      'Safari',
      'mobile',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1',
      'iOS',
      null,
      'mobile',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Safari/604.1',
      'iPadOS',
      'Safari',
      'tablet',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36',
      'Android',
      'Chrome',
      'mobile',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
      'Linux',
      'Firefox',
      'desktop',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
      'ChromeOS',
      'Chrome',
      'desktop',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/124.0 Safari/537.36 OPR/109.0',
      'Windows',
      'Opera',
      'desktop',
    ],
    [
      'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)',
      'Windows',
      'Internet Explorer',
      'desktop',
    ],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', null, null, 'bot'],
    ['curl/8.5.0', null, null, 'desktop'],
  ];

  it.each(cases)('%s', (ua, platform, browser, device) => {
    expect(classifyUserAgent(ua)).toEqual({ platform, browser, device });
  });

  it('gives nulls for an empty or missing user agent', () => {
    expect(classifyUserAgent('  ')).toEqual({ platform: null, browser: null, device: null });
    expect(classifyUserAgent(null)).toEqual({ platform: null, browser: null, device: null });
  });

  it('cuts stored user agents to 512 code points without splitting surrogate pairs', () => {
    const long = `${'a'.repeat(511)}🔐🔐`;
    const stored = storableUserAgent(long)!;
    expect([...stored]).toHaveLength(512);
    expect(stored.endsWith('🔐')).toBe(true);
    expect(storableUserAgent('short')).toBe('short');
  });
});

describe('client IPs', () => {
  it('normalises IPv4-mapped IPv6 and drops junk', () => {
    expect(normalizeIp('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeIp(' 2001:DB8::1 ')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('not-an-ip')).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });

  it('masks IPv4 and IPv6 as the reference did', () => {
    expect(maskIp('203.0.113.77')).toBe('203.0.113.*');
    expect(maskIp('2001:db8::1')).toBe('2001:0db8:0000:0000:*:*:*:*');
    expect(maskIp('::1')).toBe('0000:0000:0000:0000:*:*:*:*');
    expect(maskIp('garbage')).toBeNull();
    expect(maskIp(null)).toBeNull();
  });

  it('explodes IPv6 like Python (embedded IPv4 included)', () => {
    expect(explodeIpv6('64:ff9b::192.0.2.33').join(':')).toBe(
      '0064:ff9b:0000:0000:0000:0000:c000:0221',
    );
    expect(explodeIpv6('1:2:3:4:5:6:7:8').join(':')).toBe(
      '0001:0002:0003:0004:0005:0006:0007:0008',
    );
  });

  it('hashes salt||ip with SHA-256 (reference ip_hash)', () => {
    expect(hashIp('salt', '203.0.113.5')).toBe(
      createHash('sha256').update('salt203.0.113.5').digest('hex'),
    );
    expect(hashIp('salt', null)).toBeNull();
  });

  it('throttles IPv4 per address and per /24, IPv6 per address', () => {
    expect(ipThrottleTokens('203.0.113.5')).toEqual(['203.0.113.5', '203.0.113.0/24']);
    expect(ipThrottleTokens('2001:db8::1')).toEqual(['2001:db8::1']);
    expect(ipThrottleTokens(null)).toEqual([]);
  });
});

describe('Fernet (session ip_encrypted)', () => {
  it('matches the Fernet specification vector', () => {
    const fernet = Fernet.fromKeyString('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=');
    const iv = Buffer.from([...Array(16).keys()]);
    const token = fernet.encrypt('hello', new Date(499162800 * 1000), iv);
    expect(token).toBe(
      'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
    );
    expect(fernet.decrypt(token)).toBe('hello');
  });

  it('derives the key from a secret like the reference and rejects tampering', () => {
    const fernet = Fernet.fromSecret('session-secret');
    const token = fernet.encrypt('2001:db8::1');
    expect(fernet.decrypt(token)).toBe('2001:db8::1');
    expect(Fernet.fromSecret('other-secret').decrypt(token)).toBeNull();
    const bytes = Buffer.from(token, 'base64url');
    bytes[30] ^= 1;
    expect(fernet.decrypt(bytes.toString('base64url'))).toBeNull();
    expect(fernet.decrypt('junk')).toBeNull();
  });
});

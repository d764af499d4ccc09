import { createHmac } from 'node:crypto';

/**
 * A short keyed digest standing in for PII (emails, IPs) in logs and rate-limit events: lines
 * about the same address correlate, but the address cannot be read back or guessed offline
 * (spec auth 10.2 / 11.A item 22: the reference logged them raw).
 */
export function piiDigest(salt: string, value: string): string {
  return createHmac('sha256', salt)
    .update(value.trim().toLowerCase(), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

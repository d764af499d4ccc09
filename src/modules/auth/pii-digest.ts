import { createHmac } from 'node:crypto';

/**
 * A short keyed digest standing in for PII (emails, IPs) in logs and rate-limit events: lines about
 * the same address correlate, but the address cannot be read back or guessed offline (the reference
 * logged them raw).
 */
export function piiDigest(salt: string, value: string): string {
  return createHmac('sha256', salt)
    .update(value.trim().toLowerCase(), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

/**
 * A log-safe description of a failure: its code or class name. Mail errors quote recipient
 * addresses in their messages, so messages stay out of the logs.
 */
export function errorKind(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  return error instanceof Error ? error.name : 'unknown';
}

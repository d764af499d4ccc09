import { createHash } from 'node:crypto';
import { isUUID } from 'class-validator';

/**
 * The one place that knows what a UUID looks like. Postgres `uuid` columns accept every version
 * (and the nil UUID), so "is a UUID" means the 8-4-4-4-12 hex shape in any case, not RFC 4122
 * version bits: class-validator's `loose` check.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value, 'loose');
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` from 32 hex digits (lower-cased). */
export function formatUuid(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const SIMPLE_UUID = /^[0-9a-f]{32}$/i;

/**
 * A UUID as clients send it in bodies and paths (hyphenated or the bare 32-hex form, any case),
 * in the lower-case hyphenated form we store; null for anything else.
 */
export function canonicalUuid(text: string): string | null {
  if (isUuid(text)) return text.toLowerCase();
  return SIMPLE_UUID.test(text) ? formatUuid(text) : null;
}

/** RFC 4122 name-based UUID, version 5 (SHA-1), as Python's `uuid.uuid5`. */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(Buffer.from(name, 'utf8'))
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return formatUuid(bytes.toString('hex'));
}

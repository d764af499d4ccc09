import { createHash, randomUUID } from 'node:crypto';

/**
 * Conversation id mapping of the reference (chat spec 4.1), kept bit-for-bit so rows written by
 * the reference map to the same primary keys:
 * - an id Python's `uuid.UUID()` parses (hyphenated, bare hex, `{...}`, `urn:uuid:`, any case)
 *   is that UUID; its key is the canonical lower-case hyphenated form;
 * - any other string maps to UUIDv5(namespace, s) and is its own key, verbatim.
 */
export const CONVERSATION_NAMESPACE = 'b2145957-15f5-5e0c-b157-cda79da09c21';

/** The storage identity of a client-facing conversation id. */
export interface ConversationRef {
  /** Primary key the reference derives (our first choice; see `ConversationRepository`). */
  referenceId: string;
  /** `agent_conversations.conversation_key`. */
  key: string;
}

const HEX_DIGITS = /^[0-9a-f]+$/i;

/**
 * Python's `int(text, 16)`: surrounding whitespace, a sign, a `0x` prefix and single underscores
 * between digits are accepted. Returns null where Python raises.
 */
function pythonHexInt(text: string): bigint | null {
  let s = text.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, '');
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (/^0x/i.test(s)) {
    s = s.slice(2);
    if (s.startsWith('_')) s = s.slice(1);
  }
  if (!s || s.startsWith('_') || s.endsWith('_') || s.includes('__')) return null;
  const digits = s.replace(/_/g, '');
  if (!HEX_DIGITS.test(digits)) return null;
  const value = BigInt(`0x${digits}`);
  return negative ? -value : value;
}

/** `uuid.UUID(text)` of CPython: the canonical form, or null when Python would raise. */
export function parsePythonUuid(text: string): string | null {
  const hex = text.replaceAll('urn:', '').replaceAll('uuid:', '');
  const stripped = hex.replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  if (stripped.length !== 32) return null;
  const value = pythonHexInt(stripped);
  if (value === null || value < 0n || value >= 1n << 128n) return null;
  return formatUuid(value.toString(16).padStart(32, '0'));
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 4122 name-based UUID (version 5, SHA-1), as Python's `uuid.uuid5`. */
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

/** Maps a client-facing id to its reference primary key and `conversation_key`. */
export function mapConversationId(id: string): ConversationRef {
  if (id === '') {
    const fresh = randomUUID();
    return { referenceId: fresh, key: fresh };
  }
  const canonical = parsePythonUuid(id);
  if (canonical) return { referenceId: canonical, key: canonical };
  return { referenceId: uuidV5(CONVERSATION_NAMESPACE, id), key: id };
}

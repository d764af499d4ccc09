import { randomUUID } from 'node:crypto';
import { canonicalUuid, uuidV5 } from '../../platform/ids';

/**
 * Conversation id mapping of the reference, kept bit-for-bit so rows written by the reference map
 * to the same primary keys:
 * - a UUID in one of the forms `parseReferenceUuid` accepts is that UUID; its key is the canonical
 *   lower-case hyphenated form;
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

/**
 * The UUID forms of Python's `uuid.UUID()` that chat ids really use: hyphenated, bare hex,
 * `{...}`, `urn:uuid:`, any case. Python then parses the 32 digits with `int(x, 16)`, which also
 * takes a sign, `0x` and underscores; no client sends those, so such strings are not UUIDs here
 * (they map to UUIDv5 like any other string). Returns the canonical form, or null.
 */
export function parseReferenceUuid(text: string): string | null {
  const stripped = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '');
  return canonicalUuid(stripped);
}

/** Maps a client-facing id to its reference primary key and `conversation_key`. */
export function mapConversationId(id: string): ConversationRef {
  if (id === '') {
    const fresh = randomUUID();
    return { referenceId: fresh, key: fresh };
  }
  const canonical = parseReferenceUuid(id);
  if (canonical) return { referenceId: canonical, key: canonical };
  return { referenceId: uuidV5(CONVERSATION_NAMESPACE, id), key: id };
}

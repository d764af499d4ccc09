/**
 * Conversation titles (docs/conversations.md#titles): derived from the first user message, not
 * asked of a model, so a title costs nothing, is the same on every replica and in tests, and
 * exists even when the model is down. A user's rename (`PATCH`) replaces it for good.
 */

/** Longest derived title, in characters (code points), the ellipsis included. */
export const DERIVED_TITLE_MAX_CHARS = 80;

/** Longest title a user may set (the `title` column is `varchar(200)`). */
export const TITLE_MAX_CHARS = 200;

const ELLIPSIS = '…';

/**
 * The title of a conversation whose first user message is `text`: whitespace runs collapsed to
 * one space and trimmed; a longer text is cut at the last space that keeps the result within
 * DERIVED_TITLE_MAX_CHARS with "…" appended (a single word that long is cut mid-word). Null when
 * nothing but whitespace is left. Counting code points, never UTF-16 units, keeps an emoji whole.
 * The backfill in `migrations/1764100900000-conversation-title-archive.ts` is the same rule in SQL.
 */
export function deriveConversationTitle(text: string): string | null {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  if (collapsed === '') return null;
  const chars = Array.from(collapsed);
  if (chars.length <= DERIVED_TITLE_MAX_CHARS) return collapsed;
  // One character more than the room left for the text: if it is a space the cut is exactly on a
  // word boundary; otherwise the partial last word goes.
  const head = chars.slice(0, DERIVED_TITLE_MAX_CHARS).join('');
  const words = head.replace(/ [^ ]*$/, '');
  const cut = Array.from(words)
    .slice(0, DERIVED_TITLE_MAX_CHARS - 1)
    .join('')
    .trimEnd();
  return `${cut}${ELLIPSIS}`;
}

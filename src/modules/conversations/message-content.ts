/** Stored form of a transcript message: JSONB `{"text": "..."}`. */
export function encodeMessageContent(text: string): string {
  return JSON.stringify({ text });
}

/**
 * Reading `agent_messages.content` as the reference does: an object's `text`, any other object
 * stringified, a JSON string as is, null as `""`.
 */
export function decodeMessageContent(content: unknown): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (typeof content === 'object' && !Array.isArray(content) && 'text' in content) {
    return String(content.text);
  }
  return JSON.stringify(content);
}

import { tool } from '@openai/agents';
import { z } from 'zod';
import type { ConversationSearchService } from '../../conversations';
import type { ChatRunContext } from '../tool-context';
import type { ToolMetrics } from '../tool-metrics';

export const SEARCH_CONVERSATIONS_TOOL = 'search_conversations';

/** At most this many conversations are listed (reference: 5). */
const MAX_LINES = 5;
/** Preview length of a matching message (reference: 120 characters, then `...`). */
const PREVIEW_CHARS = 120;
const MAX_QUERY_CHARS = 500;

const parameters = z.object({
  query: z.string().describe('Text to look for (case-insensitive substring)'),
});

export function previewOf(text: string): string {
  const chars = Array.from(text);
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join('')}...` : text;
}

/**
 * Searches the caller's own conversations (scoped per decision C1). The caller comes from the run
 * context set by chat, never from the model's arguments.
 */
export function searchConversationsTool(search: ConversationSearchService, metrics: ToolMetrics) {
  return tool<typeof parameters, ChatRunContext>({
    name: SEARCH_CONVERSATIONS_TOOL,
    description:
      "Search the current user's previous conversations for messages containing the given text.",
    parameters,
    execute: ({ query }, runContext) =>
      metrics.measure(SEARCH_CONVERSATIONS_TOOL, async () => {
        const caller = runContext?.context;
        if (!caller?.tenantId || !caller.userId) {
          return 'Conversation search is not available in this context.';
        }
        const needle = query.slice(0, MAX_QUERY_CHARS);
        const hits = await search.search(
          { tenantId: caller.tenantId, userId: caller.userId },
          needle,
          MAX_LINES,
        );
        if (hits.length === 0) return `No conversations found containing '${needle}'.`;
        const lines = hits.map((hit) => `${hit.key}: ${previewOf(hit.text)}`);
        return [`Found ${hits[0].total} conversation(s) containing '${needle}':`, ...lines].join(
          '\n',
        );
      }),
  });
}

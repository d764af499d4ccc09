import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Titles for conversations that have none, from their first user message: whitespace collapsed
 * and trimmed; over 80 characters, the partial last word of the first 80 is dropped, at most 79
 * are kept and the ellipsis appended (a single overlong word is cut mid-word). Exported for the
 * test that holds it to the TypeScript rule.
 */
export const BACKFILL_TITLES_SQL = `
      WITH firsts AS (
        SELECT DISTINCT ON (m.conversation_id) m.conversation_id,
               NULLIF(btrim(regexp_replace(COALESCE(m.content->>'text', ''), '\\s+', ' ', 'g')), '')
                 AS text
          FROM agent_messages m
         WHERE m.role = 'user'
         ORDER BY m.conversation_id, m.position
      )
      UPDATE agent_conversations c
         SET title = CASE
               WHEN char_length(f.text) <= 80 THEN f.text
               ELSE rtrim(left(regexp_replace(left(f.text, 80), ' [^ ]*$', ''), 79)) || '…'
             END
        FROM firsts f
       WHERE f.conversation_id = c.id AND c.title IS NULL AND f.text IS NOT NULL`;

/**
 * Conversations as objects (docs/conversations.md, decision C8): a `title` (derived from the
 * first user message, or the user's rename) and `archived_at` (set while archived) on
 * `agent_conversations`. The default list hides archived conversations, so it gets a partial
 * index in the list's order; the existing owner index still serves `include_archived=true`.
 *
 * Existing conversations get their title from their first user message here, by the rule of
 * `deriveConversationTitle` (src/modules/conversations/conversation-title.ts) in SQL: one pass
 * over the first user message of each conversation. A conversation whose first message is only
 * whitespace keeps a null title.
 */
export class ConversationTitleArchive1764100900000 implements MigrationInterface {
  name = 'ConversationTitleArchive1764100900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE agent_conversations
        ADD COLUMN title varchar(200) NULL,
        ADD COLUMN archived_at timestamptz NULL`);
    await q.query(
      `CREATE INDEX ix_agent_conversations_owner_unarchived_last_message
         ON agent_conversations (tenant_id, user_id, last_message_at DESC, id DESC)
         WHERE archived_at IS NULL`,
    );
    await q.query(BACKFILL_TITLES_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS ix_agent_conversations_owner_unarchived_last_message');
    await q.query(
      'ALTER TABLE agent_conversations DROP COLUMN IF EXISTS archived_at, DROP COLUMN IF EXISTS title',
    );
  }
}

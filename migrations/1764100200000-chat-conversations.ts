import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat persistence with the reference's table and column names: the transcript
 * (`agent_conversations`, `agent_messages`) and the Agents SDK memory (`sdk_agent_sessions`,
 * `sdk_agent_session_messages`). Differences from the reference:
 * - `conversation_key` is unique per owner (`tenant_id`, `user_id`) instead of globally
 *   (`uq_agent_conversations_key`), so no tenant or user can claim, block or probe another's id
 *   (decision C1);
 * - `agent_messages.status` (`completed` / `incomplete`) and `agent_messages.model` are added
 *   (decisions C2, C7);
 * - an index serves the per-owner listing newest first;
 * - timestamp defaults are `now()` (the reference's `timezone('utc', now())` yields a naive
 *   timestamp that Postgres re-interprets in the session time zone).
 */
export class ChatConversations1764100200000 implements MigrationInterface {
  name = 'ChatConversations1764100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent_conversations (
        id uuid NOT NULL,
        conversation_key varchar(255) NOT NULL,
        tenant_id uuid NOT NULL,
        user_id uuid NULL,
        agent_entrypoint varchar(64) NOT NULL,
        active_agent varchar(64) NULL,
        status varchar(16) NOT NULL DEFAULT 'active',
        message_count integer NOT NULL DEFAULT 0,
        total_tokens_prompt integer NOT NULL DEFAULT 0,
        total_tokens_completion integer NOT NULL DEFAULT 0,
        reasoning_tokens integer NOT NULL DEFAULT 0,
        handoff_count integer NOT NULL DEFAULT 0,
        source_channel varchar(32) NULL,
        topic_hint varchar(256) NULL,
        last_message_at timestamptz NULL,
        last_run_id varchar(64) NULL,
        client_version varchar(32) NULL,
        sdk_session_id varchar(255) NULL,
        session_cursor varchar(128) NULL,
        last_session_sync_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_agent_conversations PRIMARY KEY (id),
        CONSTRAINT uq_agent_conversations_owner_key UNIQUE (tenant_id, user_id, conversation_key),
        CONSTRAINT fk_agent_conversations_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE,
        CONSTRAINT fk_agent_conversations_user_id_users FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(
      'CREATE INDEX ix_agent_conversations_tenant_updated ON agent_conversations (tenant_id, updated_at)',
    );
    await q.query(
      'CREATE INDEX ix_agent_conversations_tenant_status ON agent_conversations (tenant_id, status)',
    );
    await q.query(
      `CREATE INDEX ix_agent_conversations_owner_last_message
         ON agent_conversations (tenant_id, user_id, last_message_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE agent_messages (
        id bigserial NOT NULL,
        conversation_id uuid NOT NULL,
        position integer NOT NULL,
        role varchar(16) NOT NULL,
        agent_type varchar(64) NULL,
        content jsonb NOT NULL,
        tool_name varchar(128) NULL,
        tool_call_id varchar(64) NULL,
        token_count_prompt integer NULL,
        token_count_completion integer NULL,
        reasoning_tokens integer NULL,
        latency_ms integer NULL,
        content_checksum varchar(32) NULL,
        run_id varchar(64) NULL,
        status varchar(16) NOT NULL DEFAULT 'completed',
        model varchar(128) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_agent_messages PRIMARY KEY (id),
        CONSTRAINT uq_agent_messages_conversation_position UNIQUE (conversation_id, position),
        CONSTRAINT fk_agent_messages_conversation_id_agent_conversations FOREIGN KEY (conversation_id)
          REFERENCES agent_conversations (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE INDEX ix_agent_messages_conversation_created ON agent_messages (conversation_id, created_at)',
    );

    await q.query(`
      CREATE TABLE sdk_agent_sessions (
        session_id varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sdk_agent_sessions PRIMARY KEY (session_id)
      )`);
    await q.query(`
      CREATE TABLE sdk_agent_session_messages (
        id bigserial NOT NULL,
        session_id varchar(255) NOT NULL,
        message_data text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sdk_agent_session_messages PRIMARY KEY (id),
        CONSTRAINT fk_sdk_agent_session_messages_session_id_sdk_agent_sessions FOREIGN KEY (session_id)
          REFERENCES sdk_agent_sessions (session_id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX ix_sdk_agent_session_messages_session_time
         ON sdk_agent_session_messages (session_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS sdk_agent_session_messages');
    await q.query('DROP TABLE IF EXISTS sdk_agent_sessions');
    await q.query('DROP TABLE IF EXISTS agent_messages');
    await q.query('DROP TABLE IF EXISTS agent_conversations');
  }
}

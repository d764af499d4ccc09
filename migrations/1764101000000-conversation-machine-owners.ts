import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service accounts own conversations (decision C12): their conversations carry a name-based
 * owner id (UUIDv5 of `service-account:<account>`) in `user_id`, which no `users` row has, so
 * the foreign key to `users` goes. What it did on a user's deletion (their conversations lose
 * their owner, `ON DELETE SET NULL`) a trigger on `users` keeps doing, with an index for it.
 */
export class ConversationMachineOwners1764101000000 implements MigrationInterface {
  name = 'ConversationMachineOwners1764101000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE agent_conversations DROP CONSTRAINT IF EXISTS fk_agent_conversations_user_id_users',
    );
    await q.query(
      'CREATE INDEX IF NOT EXISTS ix_agent_conversations_user_id ON agent_conversations (user_id)',
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION agent_conversations_forget_user() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE agent_conversations SET user_id = NULL WHERE user_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_users_forget_conversations AFTER DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION agent_conversations_forget_user()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS trg_users_forget_conversations ON users');
    await q.query('DROP FUNCTION IF EXISTS agent_conversations_forget_user()');
    await q.query('DROP INDEX IF EXISTS ix_agent_conversations_user_id');
    // Conversations of service accounts have no users row; they lose their owner on the way back.
    await q.query(
      `UPDATE agent_conversations c SET user_id = NULL
        WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)`,
    );
    await q.query(`
      ALTER TABLE agent_conversations ADD CONSTRAINT fk_agent_conversations_user_id_users
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL`);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Data access for the Agents SDK memory tables (`sdk_agent_sessions`, `sdk_agent_session_messages`;
 * decision C3). Items are opaque JSON text here; the session class decides their format.
 */
@Injectable()
export class AgentSessionRepository {
  constructor(private readonly db: DataSource) {}

  /** Item rows in chronological order; with `limit`, only the latest `limit` of them. */
  async items(sessionId: string, limit?: number): Promise<string[]> {
    if (limit === undefined) {
      const rows: { message_data: string }[] = await this.db.query(
        `SELECT message_data FROM sdk_agent_session_messages
          WHERE session_id = $1 ORDER BY created_at, id`,
        [sessionId],
      );
      return rows.map((row) => row.message_data);
    }
    if (limit <= 0) return [];
    const rows: { message_data: string }[] = await this.db.query(
      `SELECT message_data FROM (
         SELECT message_data, created_at, id FROM sdk_agent_session_messages
          WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2
       ) latest ORDER BY created_at, id`,
      [sessionId, limit],
    );
    return rows.map((row) => row.message_data);
  }

  /**
   * The newest items whose stored text fits in `maxChars` (always at least the newest one), in
   * order: a window sum over the session's rows, so a long conversation is cut in SQL and only
   * the window crosses the wire.
   */
  async newestWithin(sessionId: string, maxChars: number): Promise<string[]> {
    const rows: { message_data: string }[] = await this.db.query(
      `SELECT message_data FROM (
         SELECT message_data, created_at, id,
                SUM(length(message_data)) OVER (ORDER BY created_at DESC, id DESC) AS upto
           FROM sdk_agent_session_messages WHERE session_id = $1
       ) newest
        WHERE upto <= $2 OR upto = length(message_data)
        ORDER BY created_at, id`,
      [sessionId, maxChars],
    );
    return rows.map((row) => row.message_data);
  }

  /** Creates the session row when missing, bumps `updated_at` and appends items in order. */
  async append(sessionId: string, items: string[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.query(
      `WITH s AS (
         INSERT INTO sdk_agent_sessions (session_id) VALUES ($1)
         ON CONFLICT (session_id) DO UPDATE SET updated_at = now()
         RETURNING session_id
       )
       INSERT INTO sdk_agent_session_messages (session_id, message_data)
       SELECT s.session_id, item.data
         FROM s, unnest($2::text[]) WITH ORDINALITY AS item(data, ord)
        ORDER BY item.ord`,
      [sessionId, items],
    );
  }

  /** Deletes and returns the newest item. */
  async pop(sessionId: string): Promise<string | undefined> {
    const [rows]: [{ message_data: string }[], number] = await this.db.query(
      `DELETE FROM sdk_agent_session_messages
        WHERE id = (SELECT id FROM sdk_agent_session_messages
                     WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)
      RETURNING message_data`,
      [sessionId],
    );
    return rows[0]?.message_data;
  }

  /** Removes the session and (by cascade) its items. */
  async clear(sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM sdk_agent_sessions WHERE session_id = $1', [sessionId]);
  }
}

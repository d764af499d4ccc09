import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf, type Sql } from '../../../platform/database';

/** Data access for `password_history`. */
@Injectable()
export class PasswordHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(
    userId: string,
    passwordHash: string,
    passwordVersion: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO password_history (user_id, password_hash, password_pepper_version, created_at)
       VALUES ($1, $2, $3, clock_timestamp())`,
      [userId, passwordHash, passwordVersion],
    );
  }

  /** The newest `limit` hashes, newest first. */
  async recentHashes(
    userId: string,
    limit: number,
    sql: Sql = this.dataSource.manager,
  ): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await rowsOf<{ password_hash: string }>(
      sql,
      `SELECT password_hash FROM password_history WHERE user_id = $1
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => row.password_hash);
  }

  /** Keeps the newest `keep` rows of the user. */
  async trim(userId: string, keep: number, sql: Sql = this.dataSource.manager): Promise<void> {
    if (keep <= 0) return;
    await sql.query(
      `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN (
         SELECT id FROM password_history WHERE user_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2)`,
      [userId, keep],
    );
  }
}

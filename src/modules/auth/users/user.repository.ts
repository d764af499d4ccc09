import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UserStatus } from '../entities/user.entity';
import { firstRow, rowsOf, type Sql } from '../../../platform/database';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  passwordVersion: string;
  status: UserStatus;
  emailVerifiedAt: Date | null;
}

/** A `users` row as `USER_COLUMNS` selects it. */
export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  password_pepper_version: string;
  status: UserStatus;
  email_verified_at: Date | null;
}

export const USER_COLUMNS =
  'id, email, password_hash, password_pepper_version, status, email_verified_at';

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    passwordVersion: row.password_pepper_version,
    status: row.status,
    emailVerifiedAt: row.email_verified_at,
  };
}

/** Data access for `users` (email is citext: lookups are case-insensitive). */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByEmail(email: string, sql: Sql = this.dataSource.manager): Promise<UserRecord | null> {
    const row = await firstRow<UserRow>(sql, `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [
      email,
    ]);
    return row ? toUserRecord(row) : null;
  }

  async findById(id: string, sql: Sql = this.dataSource.manager): Promise<UserRecord | null> {
    const row = await firstRow<UserRow>(sql, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
      id,
    ]);
    return row ? toUserRecord(row) : null;
  }

  async insert(
    sql: Sql,
    user: {
      email: string;
      passwordHash: string;
      passwordVersion: string;
      status: UserStatus;
      emailVerified: boolean;
    },
  ): Promise<string> {
    const row = await firstRow<{ id: string }>(
      sql,
      `INSERT INTO users (email, password_hash, password_pepper_version, status, email_verified_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END) RETURNING id`,
      [user.email, user.passwordHash, user.passwordVersion, user.status, user.emailVerified],
    );
    return row!.id;
  }

  async updatePassword(
    id: string,
    passwordHash: string,
    passwordVersion: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<void> {
    await sql.query(
      `UPDATE users SET password_hash = $2, password_pepper_version = $3, updated_at = now()
       WHERE id = $1`,
      [id, passwordHash, passwordVersion],
    );
  }

  async setStatus(
    id: string,
    status: UserStatus,
    sql: Sql = this.dataSource.manager,
  ): Promise<void> {
    await sql.query('UPDATE users SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
  }

  /** Sets `email_verified_at` (first time only) and activates a pending user; false if unknown. */
  async markEmailVerified(id: string, sql: Sql = this.dataSource.manager): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE users
          SET email_verified_at = COALESCE(email_verified_at, now()),
              status = CASE WHEN status = 'pending' THEN 'active'::user_status ELSE status END,
              updated_at = now()
        WHERE id = $1
        RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async delete(id: string, sql: Sql = this.dataSource.manager): Promise<void> {
    await sql.query('DELETE FROM users WHERE id = $1', [id]);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { UserSessionEntity } from '../entities/user-session.entity';
import { firstRow, rowsOf, type Sql } from '../../../platform/database';

export interface SessionListFilter {
  userId: string;
  includeRevoked: boolean;
  tenantId?: string;
  limit: number;
  offset: number;
}

export interface SessionRow {
  id: string;
  tenant_id: string;
  created_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
  ip_masked: string | null;
  fingerprint: string | null;
  user_agent: string | null;
  client_platform: string | null;
  client_browser: string | null;
  client_device: string | null;
  location_city: string | null;
  location_region: string | null;
  location_country: string | null;
}

/** Data access for `user_sessions`. */
@Injectable()
export class UserSessionRepository {
  constructor(
    @InjectRepository(UserSessionEntity) private readonly rows: Repository<UserSessionEntity>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * The bearer check's cache-miss path: whether the session exists and is not revoked, and the
   * user's current role in the session's tenant (null without a membership row).
   */
  async state(sessionId: string): Promise<{ active: boolean; role: string | null }> {
    const row = await firstRow<{ active: boolean; role: string | null }>(
      this.dataSource.manager,
      `SELECT s.revoked_at IS NULL AS active, m.role
         FROM user_sessions s
         LEFT JOIN tenant_user_memberships m
           ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
        WHERE s.id = $1`,
      [sessionId],
    );
    return row ?? { active: false, role: null };
  }

  /** Ids of the user's unrevoked sessions in one tenant. */
  async activeIdsInTenant(userId: string, tenantId: string, sql: Sql = this.dataSource.manager) {
    const rows = await rowsOf<{ id: string }>(
      sql,
      'SELECT id FROM user_sessions WHERE user_id = $1 AND tenant_id = $2 AND revoked_at IS NULL',
      [userId, tenantId],
    );
    return rows.map((row) => row.id);
  }

  async list(filter: SessionListFilter): Promise<{ rows: SessionRow[]; total: number }> {
    const where = ['user_id = $1'];
    const params: unknown[] = [filter.userId];
    if (!filter.includeRevoked) where.push('revoked_at IS NULL');
    if (filter.tenantId) {
      params.push(filter.tenantId);
      where.push(`tenant_id = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const count = await firstRow<{ total: string }>(
      this.dataSource.manager,
      `SELECT count(*) AS total FROM user_sessions WHERE ${clause}`,
      params,
    );
    const rows = await rowsOf<SessionRow>(
      this.dataSource.manager,
      `SELECT id, tenant_id, created_at, last_seen_at, revoked_at, ip_masked, fingerprint,
              user_agent, client_platform, client_browser, client_device,
              location_city, location_region, location_country
         FROM user_sessions WHERE ${clause}
        ORDER BY last_seen_at DESC NULLS LAST, created_at DESC, id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { rows, total: Number(count?.total ?? 0) };
  }

  /** Whether `sessionId` is an unrevoked session of `userId`. */
  async isActiveFor(sessionId: string, userId: string): Promise<boolean> {
    return (
      (await firstRow(
        this.dataSource.manager,
        'SELECT 1 AS found FROM user_sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
        [sessionId, userId],
      )) !== null
    );
  }

  /** Revokes the given sessions (those still active); returns the ids it revoked. */
  async revoke(
    sessionIds: string[],
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL RETURNING id`,
      [sessionIds, reason],
    );
    return rows.map((row) => row.id);
  }

  /** Revokes the user's active sessions in one tenant; returns their ids. */
  async revokeAllInTenant(
    userId: string,
    tenantId: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<string[]> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE user_sessions SET revoked_at = now(), revoked_reason = $3, updated_at = now()
        WHERE user_id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING id`,
      [userId, tenantId, reason],
    );
    return rows.map((row) => row.id);
  }

  /** Revokes every active session of the user; returns their ids. */
  async revokeAllForUser(
    userId: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<string[]> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2, updated_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
      [userId, reason],
    );
    return rows.map((row) => row.id);
  }
}

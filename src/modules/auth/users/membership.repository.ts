import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, named, rowsOf, type Sql } from '../../../platform/database';
import { keysetTimestampSql, type KeysetCursor } from '../../../platform/http';

export interface Membership {
  tenantId: string;
  role: string;
}

/** A member as the members list shows them. */
export interface MemberRow {
  user_id: string;
  email: string;
  display_name: string | null;
  role: string;
  status: string;
  joined_at: Date;
  last_login_at: Date | null;
  cursor_at: string;
}

/** One of the caller's tenants. */
export interface TenantMembershipRow {
  id: string;
  name: string;
  slug: string;
  role: string;
}

/** A member with account, profile and last successful login in the membership's tenant. */
const MEMBER_SELECT = `
  SELECT m.user_id, u.email, p.display_name, m.role, u.status::text AS status,
         m.created_at AS joined_at, ${keysetTimestampSql('m.created_at')} AS cursor_at,
         (SELECT max(e.created_at) FROM user_login_events e
           WHERE e.user_id = m.user_id AND e.tenant_id = m.tenant_id
             AND e.result = 'success') AS last_login_at
    FROM tenant_user_memberships m
    JOIN users u ON u.id = m.user_id
    LEFT JOIN user_profiles p ON p.user_id = m.user_id`;

/** Data access for `tenant_user_memberships`. */
@Injectable()
export class MembershipRepository {
  constructor(private readonly dataSource: DataSource) {}

  async listForUser(userId: string, sql: Sql = this.dataSource.manager): Promise<Membership[]> {
    const rows = await rowsOf<{ tenant_id: string; role: string }>(
      sql,
      'SELECT tenant_id, role FROM tenant_user_memberships WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, role: row.role }));
  }

  async findRole(
    userId: string,
    tenantId: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<string | null> {
    const row = await firstRow<{ role: string }>(
      sql,
      'SELECT role FROM tenant_user_memberships WHERE user_id = $1 AND tenant_id = $2',
      [userId, tenantId],
    );
    return row?.role ?? null;
  }

  async insert(
    sql: Sql,
    membership: { userId: string; tenantId: string; role: string },
  ): Promise<void> {
    await sql.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [membership.userId, membership.tenantId, membership.role],
    );
  }

  /** A tenant's members in joining order, after the cursor `after` (join time, user id). */
  async listMembers(
    tenantId: string,
    after: KeysetCursor | undefined,
    limit: number,
  ): Promise<MemberRow[]> {
    return rowsOf<MemberRow>(
      this.dataSource.manager,
      ...named(
        `${MEMBER_SELECT}
          WHERE m.tenant_id = :tenantId
            AND (CAST(:afterAt AS text) IS NULL
                 OR (m.created_at, m.user_id)
                    > ((:afterAt)::timestamp AT TIME ZONE 'UTC', (:afterId)::uuid))
          ORDER BY m.created_at, m.user_id
          LIMIT :limit`,
        { tenantId, afterAt: after?.at ?? null, afterId: after?.id ?? null, limit },
      ),
    );
  }

  /** One member of a tenant, or null. */
  async findMember(tenantId: string, userId: string): Promise<MemberRow | null> {
    return firstRow<MemberRow>(
      this.dataSource.manager,
      `${MEMBER_SELECT} WHERE m.tenant_id = $1 AND m.user_id = $2`,
      [tenantId, userId],
    );
  }

  /** The user's tenants with their names, in joining order. */
  async listTenantsOfUser(userId: string): Promise<TenantMembershipRow[]> {
    return rowsOf<TenantMembershipRow>(
      this.dataSource.manager,
      `SELECT t.id, t.name, t.slug, m.role
         FROM tenant_user_memberships m JOIN tenant_accounts t ON t.id = m.tenant_id
        WHERE m.user_id = $1
        ORDER BY m.created_at, t.id`,
      [userId],
    );
  }

  /**
   * Locks the tenant's owner rows and the target's row for the rest of transaction `sql` (in one
   * statement, in a fixed order, so two concurrent changes cannot deadlock or both remove the
   * last owner), and returns the target's role (null when not a member) and the owner count.
   */
  async lockForChange(
    sql: Sql,
    tenantId: string,
    userId: string,
  ): Promise<{ role: string | null; owners: number }> {
    const rows = await rowsOf<{ user_id: string; role: string }>(
      sql,
      `SELECT user_id, role FROM tenant_user_memberships
        WHERE tenant_id = $1 AND (lower(role) = 'owner' OR user_id = $2)
        ORDER BY id FOR UPDATE`,
      [tenantId, userId],
    );
    return {
      role: rows.find((row) => row.user_id === userId)?.role ?? null,
      owners: rows.filter((row) => row.role.trim().toLowerCase() === 'owner').length,
    };
  }

  /** How many members the tenant has (seats in use). */
  async count(sql: Sql, tenantId: string): Promise<number> {
    const row = await firstRow<{ n: number }>(
      sql,
      'SELECT count(*)::int AS n FROM tenant_user_memberships WHERE tenant_id = $1',
      [tenantId],
    );
    return row?.n ?? 0;
  }

  /** Whether the account with this email (case-insensitive) is a member of the tenant. */
  async hasMemberWithEmail(sql: Sql, tenantId: string, email: string): Promise<boolean> {
    const row = await firstRow<{ found: boolean }>(
      sql,
      `SELECT EXISTS (SELECT 1 FROM tenant_user_memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.tenant_id = $1 AND u.email = $2) AS found`,
      [tenantId, email],
    );
    return row?.found ?? false;
  }

  async updateRole(sql: Sql, tenantId: string, userId: string, role: string): Promise<void> {
    await sql.query(
      'UPDATE tenant_user_memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId, role],
    );
  }

  async delete(sql: Sql, tenantId: string, userId: string): Promise<void> {
    await sql.query('DELETE FROM tenant_user_memberships WHERE tenant_id = $1 AND user_id = $2', [
      tenantId,
      userId,
    ]);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, rowsOf, type Sql } from '../../../platform/database';

export interface Membership {
  tenantId: string;
  role: string;
}

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
}

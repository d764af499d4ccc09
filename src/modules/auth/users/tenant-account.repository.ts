import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, type Sql } from '../../../platform/database';

/** Data access for `tenant_accounts` (the tenancy root; signup creates rows here). */
@Injectable()
export class TenantAccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  async slugExists(slug: string, sql: Sql = this.dataSource.manager): Promise<boolean> {
    return (
      (await firstRow(sql, 'SELECT 1 AS found FROM tenant_accounts WHERE slug = $1', [slug])) !==
      null
    );
  }

  async findSlug(id: string, sql: Sql = this.dataSource.manager): Promise<string | null> {
    const row = await firstRow<{ slug: string }>(
      sql,
      'SELECT slug FROM tenant_accounts WHERE id = $1',
      [id],
    );
    return row?.slug ?? null;
  }

  async insert(sql: Sql, tenant: { slug: string; name: string }): Promise<string> {
    const row = await firstRow<{ id: string }>(
      sql,
      'INSERT INTO tenant_accounts (slug, name) VALUES ($1, $2) RETURNING id',
      [tenant.slug, tenant.name],
    );
    return row!.id;
  }

  /**
   * Locks the tenant row for the rest of transaction `sql`: seat counting (members plus pending
   * invitations) runs under it, so two concurrent invitations cannot both take the last seat.
   * Returns the tenant's name, or null when it does not exist.
   */
  async lockForSeats(sql: Sql, id: string): Promise<{ name: string } | null> {
    return firstRow<{ name: string }>(
      sql,
      'SELECT name FROM tenant_accounts WHERE id = $1 FOR UPDATE',
      [id],
    );
  }

  async delete(id: string, sql: Sql = this.dataSource.manager): Promise<void> {
    await sql.query('DELETE FROM tenant_accounts WHERE id = $1', [id]);
  }
}

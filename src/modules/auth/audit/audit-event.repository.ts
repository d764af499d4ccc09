import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, named, rowsOf, type Sql } from '../../../platform/database';
import { keysetTimestampSql, type KeysetCursor } from '../../../platform/http';

/** One change to record: who did what to which target, in which tenant. */
export interface AuditEventInsert {
  tenantId: string | null;
  actorUserId: string | null;
  actorAccount: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  ipHash: string | null;
  details: Record<string, unknown>;
}

export interface AuditEventRow {
  id: string;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_account: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  occurred_at: Date;
  cursor_at: string;
}

export interface AuditEventFilter {
  tenantId: string;
  action?: string;
  actorUserId?: string;
  before?: KeysetCursor;
  limit: number;
}

/** Data access for `audit_events`: insert, read newest first, and purge past retention. */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts in the caller's transaction `sql`, so the record commits with the change. */
  async insert(sql: Sql, event: AuditEventInsert): Promise<string> {
    const row = await firstRow<{ id: string }>(
      sql,
      ...named(
        `INSERT INTO audit_events (tenant_id, actor_user_id, actor_account, action, target_type,
                                   target_id, request_id, ip_hash, details)
         VALUES (:tenantId, :actorUserId, :actorAccount, :action, :targetType, :targetId,
                 :requestId, :ipHash, :details::jsonb)
         RETURNING id`,
        { ...event, details: JSON.stringify(event.details) },
      ),
    );
    return row?.id ?? '';
  }

  /**
   * One row per tenant the user `userId` belongs to (one row with no tenant when it belongs to
   * none), in one statement: an account event (disabled, password reset) shows in the audit log
   * of every tenant whose owners must know.
   */
  async insertForUserTenants(
    sql: Sql,
    userId: string,
    event: Omit<AuditEventInsert, 'tenantId'>,
  ): Promise<void> {
    await sql.query(
      ...named(
        `INSERT INTO audit_events (tenant_id, actor_user_id, actor_account, action, target_type,
                                   target_id, request_id, ip_hash, details)
         SELECT t.tenant_id, :actorUserId, :actorAccount, :action, :targetType, :targetId,
                :requestId, :ipHash, :details::jsonb
           FROM (SELECT m.tenant_id FROM tenant_user_memberships m WHERE m.user_id = :userId
                 UNION ALL
                 SELECT NULL::uuid WHERE NOT EXISTS
                   (SELECT 1 FROM tenant_user_memberships m WHERE m.user_id = :userId)) t`,
        { ...event, userId, details: JSON.stringify(event.details) },
      ),
    );
  }

  /** One page of a tenant's events, newest first, after the cursor `before`. */
  async list(filter: AuditEventFilter): Promise<AuditEventRow[]> {
    const conditions = ['tenant_id = :tenantId'];
    if (filter.action) conditions.push('action = :action');
    if (filter.actorUserId) conditions.push('actor_user_id = :actorUserId');
    if (filter.before) {
      conditions.push(
        "(occurred_at, id) < ((:beforeAt)::timestamp AT TIME ZONE 'UTC', (:beforeId)::uuid)",
      );
    }
    return rowsOf<AuditEventRow>(
      this.dataSource.manager,
      ...named(
        `SELECT id, tenant_id, actor_user_id, actor_account, action, target_type, target_id,
                request_id, details, occurred_at, ${keysetTimestampSql('occurred_at')} AS cursor_at
           FROM audit_events
          WHERE ${conditions.join(' AND ')}
          ORDER BY occurred_at DESC, id DESC
          LIMIT :limit`,
        {
          tenantId: filter.tenantId,
          action: filter.action ?? null,
          actorUserId: filter.actorUserId ?? null,
          beforeAt: filter.before?.at ?? null,
          beforeId: filter.before?.id ?? null,
          limit: filter.limit,
        },
      ),
    );
  }

  /**
   * Deletes up to `batch` events older than `days`; returns how many. Batched so one purge never
   * holds a long transaction; replicas purging at once delete disjoint or already-gone rows.
   */
  async purgeOlderThan(days: number, batch: number): Promise<number> {
    const rows = await rowsOf<{ id: string }>(
      this.dataSource.manager,
      `DELETE FROM audit_events
        WHERE id IN (SELECT id FROM audit_events
                      WHERE occurred_at < now() - make_interval(days => $1)
                      LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [days, batch],
    );
    return rows.length;
  }
}

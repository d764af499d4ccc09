import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, named, rowsOf, type Sql } from '../../../platform/database';
import { keysetTimestampSql, type KeysetCursor } from '../../../platform/http';

/** A `tenant_invitations` row as the invitations API reads it. */
export interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role: string;
  invited_by_user_id: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  cursor_at: string;
}

export interface InvitationInsert {
  tenantId: string;
  email: string;
  role: string;
  tokenHash: string;
  invitedByUserId: string | null;
  ttlSeconds: number;
}

const COLUMNS = `id, tenant_id, email::text AS email, role, invited_by_user_id, created_at,
  expires_at, accepted_at, revoked_at, ${keysetTimestampSql('created_at')} AS cursor_at`;

/** A pending invitation: neither accepted nor revoked, and not yet expired. */
const PENDING = 'accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()';

/** Data access for `tenant_invitations`. */
@Injectable()
export class InvitationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Revokes the tenant's open invitation to `email` (a newer one replaces it: its link stops
   * working) and inserts the new one, in the caller's transaction. Returns the revoked id, if any.
   */
  async replace(
    sql: Sql,
    invitation: InvitationInsert,
  ): Promise<{ row: InvitationRow; replaced: string | null }> {
    const replaced = await firstRow<{ id: string }>(
      sql,
      `UPDATE tenant_invitations SET revoked_at = now()
        WHERE tenant_id = $1 AND lower(email) = lower($2)
          AND accepted_at IS NULL AND revoked_at IS NULL
        RETURNING id`,
      [invitation.tenantId, invitation.email],
    );
    const row = await firstRow<InvitationRow>(
      sql,
      ...named(
        `INSERT INTO tenant_invitations
           (tenant_id, email, role, token_hash, invited_by_user_id, expires_at)
         VALUES (:tenantId, :email, :role, :tokenHash, :invitedByUserId,
                 now() + make_interval(secs => :ttlSeconds))
         RETURNING ${COLUMNS}`,
        { ...invitation },
      ),
    );
    if (!row) throw new Error('invitation insert returned no row');
    return { row, replaced: replaced?.id ?? null };
  }

  /** The tenant's pending invitations in creation order, after the cursor. */
  async listPending(
    tenantId: string,
    after: KeysetCursor | undefined,
    limit: number,
  ): Promise<InvitationRow[]> {
    return rowsOf<InvitationRow>(
      this.dataSource.manager,
      ...named(
        `SELECT ${COLUMNS} FROM tenant_invitations
          WHERE tenant_id = :tenantId AND ${PENDING}
            AND (CAST(:afterAt AS text) IS NULL
                 OR (created_at, id) > ((:afterAt)::timestamp AT TIME ZONE 'UTC', (:afterId)::uuid))
          ORDER BY created_at, id
          LIMIT :limit`,
        { tenantId, afterAt: after?.at ?? null, afterId: after?.id ?? null, limit },
      ),
    );
  }

  /** Pending invitations of the tenant, except those to `exceptEmail` (about to be replaced). */
  async countPending(sql: Sql, tenantId: string, exceptEmail: string | null): Promise<number> {
    const row = await firstRow<{ n: number }>(
      sql,
      `SELECT count(*)::int AS n FROM tenant_invitations
        WHERE tenant_id = $1 AND ${PENDING}
          AND ($2::text IS NULL OR lower(email) <> lower($2))`,
      [tenantId, exceptEmail],
    );
    return row?.n ?? 0;
  }

  /** Revokes one pending invitation of the tenant; false when there is none with that id. */
  async revoke(sql: Sql, tenantId: string, invitationId: string): Promise<InvitationRow | null> {
    return firstRow<InvitationRow>(
      sql,
      `UPDATE tenant_invitations SET revoked_at = now()
        WHERE id = $1 AND tenant_id = $2 AND ${PENDING}
        RETURNING ${COLUMNS}`,
      [invitationId, tenantId],
    );
  }

  /** The invitation holding this token hash; with `lock`, locked for the rest of `sql`. */
  async findByTokenHash(sql: Sql, tokenHash: string, lock = false): Promise<InvitationRow | null> {
    return firstRow<InvitationRow>(
      sql,
      `SELECT ${COLUMNS} FROM tenant_invitations WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
      [tokenHash],
    );
  }

  async markAccepted(sql: Sql, invitationId: string, userId: string): Promise<void> {
    await sql.query(
      `UPDATE tenant_invitations SET accepted_at = now(), accepted_user_id = $2 WHERE id = $1`,
      [invitationId, userId],
    );
  }
}

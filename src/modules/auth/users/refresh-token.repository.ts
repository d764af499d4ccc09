import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { firstRow, named, rowsOf, type Sql } from '../../../platform/database';
import type { RefreshTokenEntity } from '../entities/refresh-token.entity';

export interface RefreshTokenInsert {
  account: string;
  tenantId: string | null;
  scopes: string[];
  tokenHash: string;
  jti: string;
  kid: string;
  fingerprint: string | null;
  sessionId: string | null;
  issuedAt: Date;
  expiresAt: Date;
}

export interface RefreshTokenRecord {
  account: string;
  tenantId: string | null;
  tokenHash: string;
  jti: string;
  sessionId: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** Seconds since revocation by the database clock (no app/DB clock skew), or null. */
  revokedAgeSeconds: number | null;
  /** `expires_at` has passed, by the database clock. */
  expired: boolean;
}

/** The identity of a service-account token for reuse and replacement (docs/service-accounts.md). */
export interface TokenTuple {
  account: string;
  tenantId: string | null;
  scopeKey: string;
}

export type NewServiceAccountToken = Pick<
  RefreshTokenEntity,
  | 'account'
  | 'tenantId'
  | 'scopeKey'
  | 'scopes'
  | 'refreshTokenHash'
  | 'refreshJti'
  | 'signingKid'
  | 'fingerprint'
  | 'issuedAt'
  | 'expiresAt'
>;

/** A whole row, as `SELECT *` / `RETURNING *` give it. */
interface FullRow {
  id: string;
  account: string;
  tenant_id: string | null;
  scope_key: string;
  scopes: string[];
  refresh_token_hash: string;
  refresh_jti: string;
  signing_kid: string;
  fingerprint: string | null;
  session_id: string | null;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

function toEntity(row: FullRow): RefreshTokenEntity {
  return {
    id: row.id,
    account: row.account,
    tenantId: row.tenant_id,
    scopeKey: row.scope_key,
    scopes: row.scopes,
    refreshTokenHash: row.refresh_token_hash,
    refreshJti: row.refresh_jti,
    signingKid: row.signing_kid,
    fingerprint: row.fingerprint,
    sessionId: row.session_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Matches one service-account tuple; a tenantless tuple matches `tenant_id IS NULL`. */
const TUPLE_MATCH = `account = :account
          AND tenant_id IS NOT DISTINCT FROM CAST(:tenantId AS uuid)
          AND scope_key = :scopeKey`;

/** A refresh-token row as `RECORD_COLUMNS` selects it. */
export interface RefreshTokenRow {
  account: string;
  tenant_id: string | null;
  refresh_token_hash: string;
  refresh_jti: string;
  session_id: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  revoked_age_seconds: string | number | null;
  expired: boolean;
}

/** What a refresh or logout judges a token by; expiry and revocation age by the database clock. */
export const RECORD_COLUMNS = `account, tenant_id, refresh_token_hash, refresh_jti, session_id,
  expires_at, revoked_at, revoked_reason, expires_at <= now() AS expired,
  EXTRACT(EPOCH FROM (clock_timestamp() - revoked_at)) AS revoked_age_seconds`;

export function toRefreshTokenRecord(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    account: row.account,
    tenantId: row.tenant_id,
    tokenHash: row.refresh_token_hash,
    jti: row.refresh_jti,
    sessionId: row.session_id,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    revokedAgeSeconds: row.revoked_age_seconds === null ? null : Number(row.revoked_age_seconds),
    expired: row.expired,
  };
}

/**
 * `service_account_tokens`, the one table of every refresh token (the name is historical): human
 * rows (`account = user:<uuid>`, with a session) and service-account rows (a catalog slug, no
 * session). Rotation is one conditional UPDATE, so a token is rotated exactly once (decision A2).
 * Service-account writes for one tuple are serialised by a transaction-scoped advisory lock: the
 * partial unique index does not cover tenantless tuples (NULL is distinct), the lock does.
 */
@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByJti(
    jti: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<RefreshTokenRecord | null> {
    const row = await firstRow<RefreshTokenRow>(
      sql,
      `SELECT ${RECORD_COLUMNS} FROM service_account_tokens WHERE refresh_jti = $1`,
      [jti],
    );
    return row ? toRefreshTokenRecord(row) : null;
  }

  /**
   * Revokes the token if it is still active and unexpired. True for exactly one caller per
   * token, however many present it concurrently.
   */
  async revokeIfActive(
    jti: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE service_account_tokens
          SET revoked_at = clock_timestamp(), revoked_reason = $2, updated_at = now()
        WHERE refresh_jti = $1 AND revoked_at IS NULL AND expires_at > now()
        RETURNING id`,
      [jti, reason],
    );
    return rows.length > 0;
  }

  /** Revokes every active token of a session; returns how many. */
  async revokeSession(
    sessionId: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<number> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE service_account_tokens SET revoked_at = now(), revoked_reason = $2, updated_at = now()
        WHERE session_id = $1 AND revoked_at IS NULL RETURNING id`,
      [sessionId, reason],
    );
    return rows.length;
  }

  /** Revokes every active token of an account in one tenant; returns how many. */
  async revokeAccountInTenant(
    account: string,
    tenantId: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<number> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE service_account_tokens SET revoked_at = now(), revoked_reason = $3, updated_at = now()
        WHERE account = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING id`,
      [account, tenantId, reason],
    );
    return rows.length;
  }

  /** Revokes every active token of an account (`user:<uuid>`), all tenants; returns how many. */
  async revokeAccount(
    account: string,
    reason: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<number> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `UPDATE service_account_tokens SET revoked_at = now(), revoked_reason = $2, updated_at = now()
        WHERE account = $1 AND revoked_at IS NULL RETURNING id`,
      [account, reason],
    );
    return rows.length;
  }

  /** Runs `work` in a transaction holding the service-account tuple's lock. */
  withTupleLock<T>(tuple: TokenTuple, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const key = `service-account:${tuple.account}:${tuple.tenantId ?? 'global'}:${tuple.scopeKey}`;
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      return work(manager);
    });
  }

  /** The tuple's newest non-revoked, unexpired service-account row. */
  async findActiveServiceAccountToken(
    tuple: TokenTuple,
    now: Date,
    sql: Sql = this.dataSource.manager,
  ): Promise<RefreshTokenEntity | null> {
    const row = await firstRow<FullRow>(
      sql,
      ...named(
        `SELECT * FROM service_account_tokens
          WHERE ${TUPLE_MATCH}
            AND revoked_at IS NULL AND expires_at > :now AND session_id IS NULL
          ORDER BY issued_at DESC LIMIT 1`,
        { ...tuple, now },
      ),
    );
    return row ? toEntity(row) : null;
  }

  /** Revokes the tuple's active rows (`replaced`) and stores the new service-account row. */
  async replaceServiceAccountToken(
    tuple: TokenTuple,
    token: NewServiceAccountToken,
    sql: Sql,
    now = new Date(),
  ): Promise<RefreshTokenEntity> {
    await sql.query(
      ...named(
        `UPDATE service_account_tokens
            SET revoked_at = :now, revoked_reason = 'replaced', updated_at = now()
          WHERE ${TUPLE_MATCH} AND revoked_at IS NULL`,
        { ...tuple, now },
      ),
    );
    const row = await firstRow<FullRow>(
      sql,
      ...named(
        `INSERT INTO service_account_tokens (
           account, tenant_id, scope_key, scopes, refresh_token_hash, refresh_jti, signing_kid,
           fingerprint, session_id, issued_at, expires_at, created_at, updated_at)
         VALUES (:account, :tenantId, :scopeKey, :scopes::jsonb, :refreshTokenHash, :refreshJti,
                 :signingKid, :fingerprint, NULL, :issuedAt, :expiresAt, now(), now())
         RETURNING *`,
        { ...token, scopes: JSON.stringify(token.scopes) },
      ),
    );
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toEntity(row);
  }

  /** A service-account row (no session) by its `jti`. */
  async findServiceAccountToken(jti: string): Promise<RefreshTokenEntity | null> {
    const row = await firstRow<FullRow>(
      this.dataSource.manager,
      `SELECT * FROM service_account_tokens WHERE refresh_jti = $1 AND session_id IS NULL`,
      [jti],
    );
    return row ? toEntity(row) : null;
  }
}

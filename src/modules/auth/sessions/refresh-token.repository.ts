import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, rowsOf, type Sql } from '../../../platform/database';

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

interface Row {
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

/**
 * Data access for the refresh rows of `service_account_tokens` (every refresh token; spec auth
 * 3.1). Rotation is one conditional UPDATE, so a token is rotated exactly once (decision A2).
 */
@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(token: RefreshTokenInsert, sql: Sql = this.dataSource.manager): Promise<void> {
    await sql.query(
      `INSERT INTO service_account_tokens (
         account, tenant_id, scope_key, scopes, refresh_token_hash, refresh_jti, signing_kid,
         fingerprint, session_id, issued_at, expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, now(), now())`,
      [
        token.account,
        token.tenantId,
        token.scopes.join(' ').slice(0, 256),
        JSON.stringify(token.scopes),
        token.tokenHash,
        token.jti,
        token.kid,
        token.fingerprint?.slice(0, 128) ?? null,
        token.sessionId,
        token.issuedAt,
        token.expiresAt,
      ],
    );
  }

  async findByJti(
    jti: string,
    sql: Sql = this.dataSource.manager,
  ): Promise<RefreshTokenRecord | null> {
    const row = await firstRow<Row>(
      sql,
      `SELECT account, tenant_id, refresh_token_hash, refresh_jti, session_id, expires_at,
              revoked_at, revoked_reason, expires_at <= now() AS expired,
              EXTRACT(EPOCH FROM (clock_timestamp() - revoked_at)) AS revoked_age_seconds
         FROM service_account_tokens WHERE refresh_jti = $1`,
      [jti],
    );
    return row
      ? {
          account: row.account,
          tenantId: row.tenant_id,
          tokenHash: row.refresh_token_hash,
          jti: row.refresh_jti,
          sessionId: row.session_id,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
          revokedReason: row.revoked_reason,
          revokedAgeSeconds:
            row.revoked_age_seconds === null ? null : Number(row.revoked_age_seconds),
          expired: row.expired,
        }
      : null;
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
}

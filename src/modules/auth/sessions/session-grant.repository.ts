import { Injectable } from '@nestjs/common';
import { PreparedStatements, preparedStatement } from '../../../platform/database';
import type { Membership } from '../users/membership.repository';
import {
  RECORD_COLUMNS,
  toRefreshTokenRecord,
  type RefreshTokenInsert,
  type RefreshTokenRecord,
  type RefreshTokenRow,
} from '../users/refresh-token.repository';
import {
  toUserRecord,
  USER_COLUMNS,
  type UserRecord,
  type UserRow,
} from '../users/user.repository';
import type { SessionMetadata } from './session-metadata.factory';

/** A session as login or refresh writes it. */
export interface SessionUpsert {
  id: string;
  userId: string;
  tenantId: string;
  refreshJti: string;
  issuedAt: Date;
  metadata: SessionMetadata;
}

/** What a refresh reads in its first (read-only) round trip. */
export interface RefreshSnapshot {
  /** The presented token's row (null: unknown jti). */
  token: RefreshTokenRecord | null;
  user: UserRecord | null;
  /** The user's memberships, oldest first. */
  memberships: Membership[];
}

/** The presented refresh token, as the statement that rotates it must match it. */
export interface PresentedRefreshToken {
  jti: string;
  /** `user:<uuid>`: a row of another account is never rotated. */
  account: string;
  /** The stored form of the presented token (`hmac-sha256$...`). */
  tokenHash: string;
}

/** What the rotating write did: `rotated` is true for exactly one concurrent presenter. */
export interface RotationOutcome {
  rotated: boolean;
  /** The session moved to the new token (false: the session was revoked meanwhile). */
  recorded: boolean;
}

type SnapshotRow = Partial<RefreshTokenRow> & Partial<UserRow> & { memberships: Membership[] };

/** Reads the presented token's row, the user and the memberships (see `snapshot`). */
const SNAPSHOT = preparedStatement(
  'auth_refresh_snapshot',
  `SELECT token.*, account_user.*,
          (SELECT COALESCE(json_agg(json_build_object('tenantId', m.tenant_id, 'role', m.role)
                                    ORDER BY m.created_at), '[]'::json)
             FROM tenant_user_memberships m WHERE m.user_id = CAST(:userId AS uuid))
            AS memberships
     FROM (SELECT 1) AS one
     LEFT JOIN LATERAL (SELECT ${RECORD_COLUMNS} FROM service_account_tokens
                         WHERE refresh_jti = :jti) AS token ON true
     LEFT JOIN LATERAL (SELECT ${USER_COLUMNS} FROM users
                         WHERE id = CAST(:userId AS uuid)) AS account_user ON true`,
);

/**
 * The session row as login or refresh writes it, `INSERT ... SELECT` so that the rotating form can
 * add a condition. A revoked session is never revived (unlike the reference); location columns
 * are only overwritten when the lookup found something.
 */
const SESSION_INSERT = `INSERT INTO user_sessions AS s (
       id, user_id, tenant_id, refresh_jti, fingerprint, ip_hash, ip_encrypted, ip_masked,
       user_agent, client_platform, client_browser, client_device,
       location_city, location_region, location_country,
       created_at, updated_at, last_seen_at)
     SELECT CAST(:id AS uuid), CAST(:userId AS uuid), CAST(:tenantId AS uuid),
            CAST(:refreshJti AS text), CAST(:fingerprint AS text), CAST(:ipHash AS text),
            CAST(:ipEncrypted AS bytea), CAST(:ipMasked AS text), CAST(:userAgent AS text),
            CAST(:clientPlatform AS text), CAST(:clientBrowser AS text),
            CAST(:clientDevice AS text), CAST(:city AS text), CAST(:region AS text),
            CAST(:country AS text), CAST(:issuedAt AS timestamptz),
            CAST(:issuedAt AS timestamptz), CAST(:issuedAt AS timestamptz)`;

const SESSION_CONFLICT = `ON CONFLICT (id) DO UPDATE SET
       refresh_jti = EXCLUDED.refresh_jti,
       fingerprint = EXCLUDED.fingerprint,
       ip_hash = EXCLUDED.ip_hash,
       ip_encrypted = EXCLUDED.ip_encrypted,
       ip_masked = EXCLUDED.ip_masked,
       user_agent = EXCLUDED.user_agent,
       client_platform = EXCLUDED.client_platform,
       client_browser = EXCLUDED.client_browser,
       client_device = EXCLUDED.client_device,
       location_city = COALESCE(EXCLUDED.location_city, s.location_city),
       location_region = COALESCE(EXCLUDED.location_region, s.location_region),
       location_country = COALESCE(EXCLUDED.location_country, s.location_country),
       updated_at = EXCLUDED.updated_at,
       last_seen_at = EXCLUDED.last_seen_at
     WHERE s.revoked_at IS NULL AND s.user_id = EXCLUDED.user_id
     RETURNING s.id`;

/** The new refresh token's row, for the session the statement just wrote. */
const TOKEN_INSERT = `INSERT INTO service_account_tokens (
       account, tenant_id, scope_key, scopes, refresh_token_hash, refresh_jti, signing_kid,
       fingerprint, session_id, issued_at, expires_at, created_at, updated_at)
     SELECT CAST(:account AS text), CAST(:tokenTenantId AS uuid), CAST(:scopeKey AS text),
            CAST(:scopes AS jsonb), CAST(:tokenHash AS text), CAST(:jti AS text),
            CAST(:kid AS text), CAST(:tokenFingerprint AS text), session.id,
            CAST(:tokenIssuedAt AS timestamptz), CAST(:expiresAt AS timestamptz), now(), now()
       FROM session
     RETURNING session_id`;

/** Login, or a refresh in its grace window: the session and its new token (see `record`). */
const RECORD = preparedStatement(
  'auth_session_record',
  `WITH session AS (${SESSION_INSERT} ${SESSION_CONFLICT})
   ${TOKEN_INSERT}`,
);

/**
 * A refresh: rotates the presented token and, only if this statement rotated it, moves the
 * session to the new token (see `rotateAndRecord`). The account test is wrapped in `IS TRUE` so
 * that it cannot use the per-account index: the row is found by its unique jti, not among every
 * active token of the account. `'$' || '2'` is the bcrypt prefix of reference-era rows.
 */
const ROTATE_AND_RECORD = preparedStatement(
  'auth_refresh_rotate_record',
  `WITH rotated AS (
     UPDATE service_account_tokens
        SET revoked_at = clock_timestamp(), revoked_reason = 'rotated', updated_at = now()
      WHERE refresh_jti = :presentedJti AND (account = :presentedAccount) IS TRUE
        AND revoked_at IS NULL AND expires_at > now()
        AND (refresh_token_hash = :presentedHash OR starts_with(refresh_token_hash, '$' || '2'))
     RETURNING 1
   ),
   session AS (${SESSION_INSERT} WHERE EXISTS (SELECT 1 FROM rotated) ${SESSION_CONFLICT}),
   token AS (${TOKEN_INSERT})
   SELECT EXISTS (SELECT 1 FROM rotated) AS rotated, EXISTS (SELECT 1 FROM token) AS recorded`,
);

/**
 * The statements of login and refresh (decision A2, docs/auth-performance.md). A refresh reads
 * everything it needs in one read-only statement, then rotates the presented token and stores the
 * new pair in one write statement: two round trips and a single commit that waits for the WAL. A
 * login costs the write only. Each write is one statement, so it is atomic without an explicit
 * transaction (which would add a BEGIN and a COMMIT round trip).
 */
@Injectable()
export class SessionGrantRepository {
  constructor(private readonly statements: PreparedStatements) {}

  /** The presented token's row, the user and the memberships, read without locking anything. */
  async snapshot(jti: string, userId: string): Promise<RefreshSnapshot> {
    const [row] = await this.statements.rows<SnapshotRow>(SNAPSHOT, { jti, userId });
    if (!row) throw new Error('refresh snapshot returned no row');
    return {
      token: row.refresh_jti ? toRefreshTokenRecord(row as RefreshTokenRow) : null,
      user: row.id ? toUserRecord(row as UserRow) : null,
      memberships: row.memberships,
    };
  }

  /**
   * Creates the session or, in the grace window, moves it to its new refresh token, and stores
   * that token. False, and nothing written, when the session was revoked.
   */
  async record(session: SessionUpsert, token: RefreshTokenInsert): Promise<boolean> {
    const rows = await this.statements.rows<{ session_id: string }>(
      RECORD,
      grantParams(session, token),
    );
    return rows.length > 0;
  }

  /**
   * Revokes the presented token (`rotated`) if it is active, unexpired, of its account and
   * hashes as presented (a reference-era bcrypt row is accepted on its jti, see
   * refresh-token-hash.ts), and only then writes what `record` writes. Concurrent presenters
   * serialise on the token's row lock: exactly one sees `rotated`.
   */
  async rotateAndRecord(
    presented: PresentedRefreshToken,
    session: SessionUpsert,
    token: RefreshTokenInsert,
  ): Promise<RotationOutcome> {
    const [row] = await this.statements.rows<RotationOutcome>(ROTATE_AND_RECORD, {
      ...grantParams(session, token),
      presentedJti: presented.jti,
      presentedAccount: presented.account,
      presentedHash: presented.tokenHash,
    });
    return { rotated: row?.rotated === true, recorded: row?.recorded === true };
  }
}

function grantParams(session: SessionUpsert, token: RefreshTokenInsert): Record<string, unknown> {
  const m = session.metadata;
  return {
    id: session.id,
    userId: session.userId,
    tenantId: session.tenantId,
    refreshJti: session.refreshJti,
    fingerprint: m.fingerprint,
    ipHash: m.ipHash,
    ipEncrypted: m.ipEncrypted,
    ipMasked: m.ipMasked,
    userAgent: m.userAgent,
    clientPlatform: m.clientPlatform,
    clientBrowser: m.clientBrowser,
    clientDevice: m.clientDevice,
    city: m.location?.city?.slice(0, 128) ?? null,
    region: m.location?.region?.slice(0, 128) ?? null,
    country: m.location?.country?.slice(0, 64) ?? null,
    issuedAt: session.issuedAt,
    account: token.account,
    tokenTenantId: token.tenantId,
    scopeKey: token.scopes.join(' ').slice(0, 256),
    scopes: JSON.stringify(token.scopes),
    tokenHash: token.tokenHash,
    jti: token.jti,
    kid: token.kid,
    tokenFingerprint: token.fingerprint?.slice(0, 128) ?? null,
    tokenIssuedAt: token.issuedAt,
    expiresAt: token.expiresAt,
  };
}

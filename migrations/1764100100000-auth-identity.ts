import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity tables with the reference's final names: users (citext email, status enum), profiles,
 * memberships, password history, login events, sessions and `service_account_tokens` (which
 * holds every refresh token, human or service account).
 * Differences from the reference, all safe for adopting a reference database later:
 * - `fingerprint` columns are wide enough for a SHA-256 hex digest and we store only that; the
 *   reference's varchar(128) overflowed with its base64 fingerprint.
 * - `created_at`/`updated_at` of `service_account_tokens` default to now().
 */
export class AuthIdentity1764100100000 implements MigrationInterface {
  name = 'AuthIdentity1764100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        CREATE TYPE user_status AS ENUM ('pending', 'active', 'disabled', 'locked');
      EXCEPTION WHEN duplicate_object THEN NULL; END $$`);

    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email citext NOT NULL,
        password_hash text NOT NULL,
        password_pepper_version varchar(32) NOT NULL DEFAULT 'v1',
        status user_status NOT NULL DEFAULT 'pending',
        email_verified_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_email UNIQUE (email)
      )`);
    await q.query('CREATE INDEX ix_users_status ON users (status)');

    await q.query(`
      CREATE TABLE user_profiles (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        display_name varchar(128) NULL,
        given_name varchar(64) NULL,
        family_name varchar(64) NULL,
        avatar_url varchar(512) NULL,
        timezone varchar(64) NULL,
        locale varchar(32) NULL,
        metadata_json jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_profiles PRIMARY KEY (id),
        CONSTRAINT uq_user_profiles_user_id UNIQUE (user_id),
        CONSTRAINT fk_user_profiles_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE tenant_user_memberships (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        role varchar(32) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_tenant_user_memberships PRIMARY KEY (id),
        CONSTRAINT uq_tenant_user_memberships_user_tenant UNIQUE (user_id, tenant_id),
        CONSTRAINT fk_tenant_user_memberships_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_tenant_user_memberships_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE INDEX ix_tenant_user_memberships_tenant_role ON tenant_user_memberships (tenant_id, role)',
    );
    await q.query(
      'CREATE INDEX ix_tenant_user_memberships_user ON tenant_user_memberships (user_id)',
    );

    await q.query(`
      CREATE TABLE password_history (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        password_hash text NOT NULL,
        password_pepper_version varchar(32) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_password_history PRIMARY KEY (id),
        CONSTRAINT fk_password_history_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE INDEX ix_password_history_user_created ON password_history (user_id, created_at)',
    );

    await q.query(`
      CREATE TABLE user_login_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        tenant_id uuid NULL,
        ip_hash varchar(128) NOT NULL,
        user_agent varchar(512) NULL,
        result varchar(16) NOT NULL,
        reason varchar(128) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_login_events PRIMARY KEY (id),
        CONSTRAINT fk_user_login_events_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_user_login_events_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE SET NULL
      )`);
    await q.query(
      'CREATE INDEX ix_user_login_events_user_created ON user_login_events (user_id, created_at)',
    );
    await q.query(
      'CREATE INDEX ix_user_login_events_tenant_created ON user_login_events (tenant_id, created_at)',
    );

    await q.query(`
      CREATE TABLE user_sessions (
        id uuid NOT NULL,
        user_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        refresh_jti varchar(64) NOT NULL,
        fingerprint varchar(256) NULL,
        ip_hash varchar(128) NULL,
        ip_encrypted bytea NULL,
        ip_masked varchar(64) NULL,
        user_agent varchar(512) NULL,
        client_platform varchar(64) NULL,
        client_browser varchar(64) NULL,
        client_device varchar(32) NULL,
        location_city varchar(128) NULL,
        location_region varchar(128) NULL,
        location_country varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NULL,
        revoked_at timestamptz NULL,
        revoked_reason varchar(256) NULL,
        CONSTRAINT pk_user_sessions PRIMARY KEY (id),
        CONSTRAINT fk_user_sessions_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_user_sessions_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE UNIQUE INDEX ix_user_sessions_refresh_jti ON user_sessions (refresh_jti)',
    );
    await q.query(
      'CREATE INDEX ix_user_sessions_user_last_seen ON user_sessions (user_id, last_seen_at)',
    );
    await q.query(
      'CREATE INDEX ix_user_sessions_tenant_last_seen ON user_sessions (tenant_id, last_seen_at)',
    );
    await q.query(
      'CREATE INDEX ix_user_sessions_fingerprint ON user_sessions (user_id, fingerprint)',
    );

    await q.query(`
      CREATE TABLE service_account_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        account varchar(128) NOT NULL,
        tenant_id uuid NULL,
        scope_key varchar(256) NOT NULL,
        scopes jsonb NOT NULL,
        refresh_token_hash text NOT NULL,
        refresh_jti varchar(64) NOT NULL,
        signing_kid varchar(64) NOT NULL,
        fingerprint varchar(128) NULL,
        session_id uuid NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL,
        revoked_reason varchar(256) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_service_account_tokens PRIMARY KEY (id),
        CONSTRAINT uq_service_account_tokens_jti UNIQUE (refresh_jti),
        CONSTRAINT fk_service_account_tokens_session_id_user_sessions FOREIGN KEY (session_id)
          REFERENCES user_sessions (id) ON DELETE SET NULL
      )`);
    await q.query(
      'CREATE INDEX ix_service_account_tokens_tenant ON service_account_tokens (tenant_id)',
    );
    await q.query(
      'CREATE INDEX ix_service_account_tokens_scope_key ON service_account_tokens (scope_key)',
    );
    await q.query(
      'CREATE INDEX ix_service_account_tokens_session_id ON service_account_tokens (session_id)',
    );
    await q.query(`
      CREATE UNIQUE INDEX uq_service_account_tokens_active_service_accounts
        ON service_account_tokens (account, tenant_id, scope_key)
        WHERE revoked_at IS NULL AND account NOT LIKE 'user:%'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'service_account_tokens',
      'user_sessions',
      'user_login_events',
      'password_history',
      'tenant_user_memberships',
      'user_profiles',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query('DROP TYPE IF EXISTS user_status');
  }
}

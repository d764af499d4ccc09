import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tenant_invitations`: an email invited into a tenant with a role. The token travels only in the
 * invitation email; the row keeps its SHA-256 hash. An invitation is pending until it is accepted,
 * revoked (by an owner or admin, or by a newer invitation to the same email) or past `expires_at`;
 * at most one pending invitation exists per tenant and email (the partial unique index).
 */
export class AuthTenantInvitations1764100600000 implements MigrationInterface {
  name = 'AuthTenantInvitations1764100600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant_invitations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        email varchar(320) NOT NULL,
        role varchar(32) NOT NULL,
        token_hash varchar(128) NOT NULL,
        invited_by_user_id uuid NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz NULL,
        accepted_user_id uuid NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT pk_tenant_invitations PRIMARY KEY (id),
        CONSTRAINT fk_tenant_invitations_tenant FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE,
        CONSTRAINT fk_tenant_invitations_invited_by FOREIGN KEY (invited_by_user_id)
          REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT fk_tenant_invitations_accepted_user FOREIGN KEY (accepted_user_id)
          REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(
      'CREATE UNIQUE INDEX uq_tenant_invitations_token_hash ON tenant_invitations (token_hash)',
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_tenant_invitations_pending ON tenant_invitations (tenant_id, email)
        WHERE accepted_at IS NULL AND revoked_at IS NULL`,
    );
    // The pending list reads one tenant in creation order with a (created_at, id) cursor.
    await q.query(
      'CREATE INDEX ix_tenant_invitations_tenant_time ON tenant_invitations (tenant_id, created_at, id)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS tenant_invitations');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Revoke every refresh token of a user" (logout-all, password change/reset, email verified,
 * user disable) filters `service_account_tokens` by `account` among active rows; the baseline
 * only indexes service-account rows by account. Partial, so it stays small: revoked rows drop out.
 */
export class AuthRefreshAccountIndex1764100100001 implements MigrationInterface {
  name = 'AuthRefreshAccountIndex1764100100001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS ix_service_account_tokens_account_active
         ON service_account_tokens (account) WHERE revoked_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS ix_service_account_tokens_account_active');
  }
}

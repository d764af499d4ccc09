import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform baseline: the citext extension (users.email) and `tenant_accounts`, the tenancy root
 * every area references. Timestamps default to now(): the reference's
 * `timezone('utc', now())` yields a zone-less value that is misread under a non-UTC session.
 */
export class PlatformBaseline1764100000000 implements MigrationInterface {
  name = 'PlatformBaseline1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS citext');
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS tenant_accounts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        slug varchar(64) NOT NULL,
        name varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_tenant_accounts PRIMARY KEY (id),
        CONSTRAINT uq_tenant_accounts_slug UNIQUE (slug)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS tenant_accounts');
  }
}

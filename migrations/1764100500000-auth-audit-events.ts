import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_events`: the append-only record of who changed what in a tenant (members, roles,
 * sessions revoked by someone else, ...), written in the same transaction as the change it
 * records. Rows are only ever inserted, read and, past the retention period, deleted; details hold
 * no secrets. The actor is a user (`actor_user_id`) or a service account (`actor_account`).
 */
export class AuthAuditEvents1764100500000 implements MigrationInterface {
  name = 'AuthAuditEvents1764100500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NULL,
        actor_user_id uuid NULL,
        actor_account varchar(128) NULL,
        action varchar(64) NOT NULL,
        target_type varchar(32) NULL,
        target_id varchar(128) NULL,
        request_id varchar(128) NULL,
        ip_hash varchar(128) NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT pk_audit_events PRIMARY KEY (id)
      )`);
    // The list reads one tenant newest first with a (occurred_at, id) cursor.
    await q.query(
      'CREATE INDEX ix_audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC, id DESC)',
    );
    await q.query('CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS audit_events');
  }
}

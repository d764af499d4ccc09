import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `usage_events`: metered usage written by the product itself (one row per chat turn, in the
 * transaction that stores the assistant message) and sent to Stripe Billing Meters by the meter
 * outbox worker (docs/billing-metering.md). `(tenant_id, feature_key, source_id)` is unique, so a
 * source is metered once; `meter_state` is the outbox state (`pending` until sent, `skipped` for a
 * tenant without a Stripe customer, `dead` after the last attempt). Entitlements sum `quantity`
 * per tenant, feature and `occurred_at` range (the second index).
 */
export class BillingUsageEvents1764100700000 implements MigrationInterface {
  name = 'BillingUsageEvents1764100700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        feature_key varchar(64) NOT NULL,
        quantity bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        source_type varchar(32) NOT NULL,
        source_id varchar(128) NOT NULL,
        meter_state varchar(16) NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz NULL,
        last_error text NULL,
        sent_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_usage_events PRIMARY KEY (id),
        CONSTRAINT uq_usage_events_tenant_feature_source UNIQUE (tenant_id, feature_key, source_id),
        CONSTRAINT ck_usage_events_quantity CHECK (quantity >= 0),
        CONSTRAINT ck_usage_events_meter_state
          CHECK (meter_state IN ('pending', 'sent', 'skipped', 'dead')),
        CONSTRAINT fk_usage_events_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE
      )`);
    // The outbox claim reads only due pending rows.
    await q.query(
      `CREATE INDEX ix_usage_events_pending_next_attempt ON usage_events (next_attempt_at)
        WHERE meter_state = 'pending'`,
    );
    await q.query(
      'CREATE INDEX ix_usage_events_tenant_feature_time ON usage_events (tenant_id, feature_key, occurred_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS usage_events');
  }
}

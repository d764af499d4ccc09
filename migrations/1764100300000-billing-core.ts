import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing tables with the reference names and the seeded plans, plus:
 * - `tenant_subscriptions`: unique on `tenant_id` (the reference relied on application upserts;
 *   the unique index makes the upsert atomic) and the ordering state of webhook sync
 *   (`processor_state_at` = Stripe `created` of the last applied event; decision B2).
 * - `subscription_usage`: the idempotency key is unique per (subscription, feature) and the
 *   period uniqueness is gone, so several reports of one period are each recorded.
 * - `subscription_invoices`: unique (subscription, external invoice id) instead of the period
 *   fallback match, the Stripe `created` of the last applied invoice event, and
 *   `hosted_invoice_url` widened to 1024 (Stripe URLs outgrow 256).
 * - `stripe_customers`: the tenant <-> Stripe customer mapping, one customer per tenant reused
 *   (the replaced service created a new customer on every start); `generation` changes the
 *   creation idempotency key after a customer was deleted and `subscription_starts` keys
 *   subscription creation by our own sequence (decision B1).
 */
export class BillingCore1764100300000 implements MigrationInterface {
  name = 'BillingCore1764100300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing_plans (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        code varchar(64) NOT NULL,
        name varchar(128) NOT NULL,
        "interval" varchar(16) NOT NULL DEFAULT 'monthly',
        interval_count integer NOT NULL DEFAULT 1,
        price_cents integer NOT NULL,
        currency varchar(3) NOT NULL DEFAULT 'USD',
        trial_days integer NULL,
        seat_included integer NULL,
        feature_toggles jsonb NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_billing_plans PRIMARY KEY (id),
        CONSTRAINT uq_billing_plans_code UNIQUE (code)
      )`);

    await q.query(`
      CREATE TABLE plan_features (
        id bigserial NOT NULL,
        plan_id uuid NOT NULL,
        feature_key varchar(64) NOT NULL,
        display_name varchar(128) NULL,
        description text NULL,
        hard_limit integer NULL,
        soft_limit integer NULL,
        is_metered boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_plan_features PRIMARY KEY (id),
        CONSTRAINT uq_plan_features_plan_feature UNIQUE (plan_id, feature_key),
        CONSTRAINT fk_plan_features_plan_id_billing_plans FOREIGN KEY (plan_id)
          REFERENCES billing_plans (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE tenant_subscriptions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        plan_id uuid NOT NULL,
        status varchar(24) NOT NULL DEFAULT 'active',
        auto_renew boolean NOT NULL DEFAULT true,
        billing_email varchar(256) NULL,
        processor varchar(32) NULL,
        processor_customer_id varchar(128) NULL,
        processor_subscription_id varchar(128) NULL,
        starts_at timestamptz NOT NULL DEFAULT now(),
        current_period_start timestamptz NULL,
        current_period_end timestamptz NULL,
        trial_ends_at timestamptz NULL,
        cancel_at timestamptz NULL,
        seat_count integer NULL,
        metadata_json jsonb NULL,
        processor_state_at timestamptz NULL,
        processor_state_event_id varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_tenant_subscriptions PRIMARY KEY (id),
        CONSTRAINT uq_tenant_subscriptions_tenant UNIQUE (tenant_id),
        CONSTRAINT fk_tenant_subscriptions_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE,
        CONSTRAINT fk_tenant_subscriptions_plan_id_billing_plans FOREIGN KEY (plan_id)
          REFERENCES billing_plans (id) ON DELETE RESTRICT
      )`);
    await q.query(
      'CREATE INDEX ix_tenant_subscriptions_tenant_status ON tenant_subscriptions (tenant_id, status)',
    );
    await q.query(
      'CREATE INDEX ix_tenant_subscriptions_processor_subscription ON tenant_subscriptions (processor_subscription_id)',
    );
    await q.query(
      'CREATE INDEX ix_tenant_subscriptions_processor_customer ON tenant_subscriptions (processor_customer_id)',
    );

    await q.query(`
      CREATE TABLE subscription_invoices (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        amount_cents integer NOT NULL,
        currency varchar(3) NOT NULL DEFAULT 'USD',
        status varchar(16) NOT NULL DEFAULT 'draft',
        external_invoice_id varchar(128) NULL,
        hosted_invoice_url varchar(1024) NULL,
        stripe_event_created_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_subscription_invoices PRIMARY KEY (id),
        CONSTRAINT uq_subscription_invoices_subscription_external UNIQUE (subscription_id, external_invoice_id),
        CONSTRAINT fk_subscription_invoices_subscription_id_tenant_subscriptions FOREIGN KEY (subscription_id)
          REFERENCES tenant_subscriptions (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE INDEX ix_subscription_invoices_subscription_period ON subscription_invoices (subscription_id, period_start)',
    );

    await q.query(`
      CREATE TABLE subscription_usage (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL,
        feature_key varchar(64) NOT NULL,
        unit varchar(32) NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        quantity integer NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        external_event_id varchar(128) NULL,
        CONSTRAINT pk_subscription_usage PRIMARY KEY (id),
        CONSTRAINT fk_subscription_usage_subscription_id_tenant_subscriptions FOREIGN KEY (subscription_id)
          REFERENCES tenant_subscriptions (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE UNIQUE INDEX uq_subscription_usage_feature_key
        ON subscription_usage (subscription_id, feature_key, external_event_id)
        WHERE external_event_id IS NOT NULL`);
    await q.query(
      'CREATE INDEX ix_subscription_usage_feature_period ON subscription_usage (subscription_id, feature_key, period_start)',
    );

    await q.query(`
      CREATE TABLE stripe_customers (
        tenant_id uuid NOT NULL,
        processor_customer_id varchar(128) NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        subscription_starts integer NOT NULL DEFAULT 0,
        deleted_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_stripe_customers PRIMARY KEY (tenant_id),
        CONSTRAINT uq_stripe_customers_processor_customer UNIQUE (processor_customer_id),
        CONSTRAINT fk_stripe_customers_tenant_id_tenant_accounts FOREIGN KEY (tenant_id)
          REFERENCES tenant_accounts (id) ON DELETE CASCADE
      )`);

    await q.query(`
      INSERT INTO billing_plans
        (code, name, "interval", interval_count, price_cents, currency, trial_days, seat_included, feature_toggles, is_active)
      VALUES
        ('starter', 'Starter', 'monthly', 1, 0, 'USD', 14, 1, '{"enable_web_search": false}'::jsonb, true),
        ('pro', 'Pro', 'monthly', 1, 9900, 'USD', 14, 5, '{"enable_web_search": true}'::jsonb, true)
      ON CONFLICT (code) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'stripe_customers',
      'subscription_usage',
      'subscription_invoices',
      'tenant_subscriptions',
      'plan_features',
      'billing_plans',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monthly chat-token quotas of the seeded plans, as `plan_features` rows of the default chat
 * usage feature (`chat_tokens`, CHAT_USAGE_FEATURE_KEY): Starter 200,000 and Pro 5,000,000
 * tokens per billing period (input + output). Entitlements read `hard_limit`; a plan without
 * the row is unlimited. Existing rows (an operator's own limits) are left alone.
 */
export class BillingPlanQuotas1764100800000 implements MigrationInterface {
  name = 'BillingPlanQuotas1764100800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO plan_features (plan_id, feature_key, display_name, description, hard_limit, is_metered)
      SELECT p.id, 'chat_tokens', 'Chat tokens', 'Chat tokens (input + output) per billing period',
             quota.tokens, true
        FROM billing_plans p
        JOIN (VALUES ('starter', 200000), ('pro', 5000000)) AS quota (code, tokens)
          ON quota.code = p.code
      ON CONFLICT (plan_id, feature_key) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM plan_features f
       USING billing_plans p
       WHERE f.plan_id = p.id AND p.code IN ('starter', 'pro') AND f.feature_key = 'chat_tokens'
         AND f.hard_limit IN (200000, 5000000)`);
  }
}

import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { UserProvisioningService } from '../src/modules/auth';

export const BENCH_PASSWORD = 'Bench-Password-2025!xyz';

/** Per-scenario data created inside the server process (users, tokens), returned to the runner. */
export async function prepareScenarioState(
  app: NestExpressApplication,
  kind: string,
  options: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (kind !== 'app-with-user' && kind !== 'app-billing') return {};
  const provisioning = app.get(UserProvisioningService);
  const email = `bench-${Date.now()}@example.test`;
  const user = await provisioning.createUserWithTenant({
    email,
    password: BENCH_PASSWORD,
    tenantName: 'Bench Tenant',
    role: typeof options.role === 'string' ? options.role : 'owner',
    emailVerified: true,
    enforcePolicy: false,
  });
  if (kind === 'app-billing') {
    // A subscription row, so invoice webhooks for this tenant have something to attach to.
    await app.get(DataSource).query(
      `INSERT INTO tenant_subscriptions (tenant_id, plan_id, status, processor, processor_customer_id, processor_subscription_id)
       SELECT $1, id, 'active', 'stripe', 'cus_bench', 'sub_bench' FROM billing_plans WHERE code = 'starter'`,
      [user.tenantId],
    );
  }
  return { email, password: BENCH_PASSWORD, userId: user.userId, tenantId: user.tenantId };
}

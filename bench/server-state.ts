import type { NestExpressApplication } from '@nestjs/platform-express';
import { UserProvisioningService } from '../src/modules/auth';

export const BENCH_PASSWORD = 'Bench-Password-2025!xyz';

/** Per-scenario data created inside the server process (users, tokens), returned to the runner. */
export async function prepareScenarioState(
  app: NestExpressApplication,
  kind: string,
  options: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (kind !== 'app-with-user') return {};
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
  return { email, password: BENCH_PASSWORD, userId: user.userId, tenantId: user.tenantId };
}

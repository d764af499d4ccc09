import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/platform/config/app-config';
import { SessionStateService } from '../../src/modules/auth/sessions/session-state.service';
import { TokenService } from '../../src/modules/auth/tokens/token.service';
import { userAccessClaims } from '../../src/modules/auth/tokens/user-claims';
import type { TestApp } from './test-app';

export interface TestUser {
  userId: string;
  tenantId: string;
  tenantSlug: string;
  email: string;
  role: string;
  sessionId: string;
  /** A valid access token for this user's session. */
  accessToken: string;
  /** `Authorization` header value. */
  authorization: string;
}

export interface CreateTestUserOptions {
  role?: string;
  emailVerified?: boolean;
  /** Join an existing tenant instead of creating one. */
  tenantId?: string;
  email?: string;
  /** Extra claims merged into the access token (e.g. to test scope wildcards). */
  extraClaims?: Record<string, unknown>;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.test`;
}

/**
 * Creates a tenant, a user, a membership and an active session with real SQL (no repository
 * mocks) and signs an access token with the app's own keys. For tests of modules that need an
 * authenticated caller without walking the signup/login flow.
 */
export async function createTestUser(
  t: TestApp,
  options: CreateTestUserOptions = {},
): Promise<TestUser> {
  const role = options.role ?? 'owner';
  const email = (options.email ?? uniqueEmail(role)).toLowerCase();
  const emailVerified = options.emailVerified ?? true;
  const userId = randomUUID();
  const sessionId = randomUUID();
  let tenantId = options.tenantId;
  let tenantSlug = '';
  await t.dataSource.transaction(async (manager) => {
    if (!tenantId) {
      tenantId = randomUUID();
      tenantSlug = `tenant-${tenantId.slice(0, 8)}`;
      await manager.query('INSERT INTO tenant_accounts (id, slug, name) VALUES ($1, $2, $3)', [
        tenantId,
        tenantSlug,
        `Tenant ${tenantSlug}`,
      ]);
    } else {
      const rows = await manager.query<{ slug: string }[]>(
        'SELECT slug FROM tenant_accounts WHERE id = $1',
        [tenantId],
      );
      tenantSlug = rows[0]?.slug ?? '';
    }
    await manager.query(
      `INSERT INTO users (id, email, password_hash, password_pepper_version, status, email_verified_at)
       VALUES ($1, $2, 'not-a-real-hash', 'v3', 'active', $3)`,
      [userId, email, emailVerified ? new Date() : null],
    );
    await manager.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [userId, tenantId, role],
    );
    await manager.query(
      `INSERT INTO user_sessions (id, user_id, tenant_id, refresh_jti, last_seen_at) VALUES ($1, $2, $3, $4, now())`,
      [sessionId, userId, tenantId, randomUUID()],
    );
  });
  const accessToken = await signAccessToken(t, {
    userId,
    tenantId: tenantId!,
    role,
    emailVerified,
    sessionId,
    extraClaims: options.extraClaims,
  });
  await t.app.get(SessionStateService).markActive(sessionId);
  return {
    userId,
    tenantId: tenantId!,
    tenantSlug,
    email,
    role,
    sessionId,
    accessToken,
    authorization: `Bearer ${accessToken}`,
  };
}

/** Signs an access token for an existing user/session with the app's active key. */
export async function signAccessToken(
  t: TestApp,
  subject: {
    userId: string;
    tenantId: string;
    role: string;
    emailVerified: boolean;
    sessionId: string;
    extraClaims?: Record<string, unknown>;
    lifetimeSeconds?: number;
  },
): Promise<string> {
  const config = t.app.get(AppConfig);
  const claims = {
    ...userAccessClaims(subject, config.AUTH_AUDIENCE),
    ...(subject.extraClaims ?? {}),
  };
  const signed = await t.app
    .get(TokenService)
    .sign(claims, subject.lifetimeSeconds ?? config.ACCESS_TOKEN_EXPIRE_MINUTES * 60);
  return signed.token;
}

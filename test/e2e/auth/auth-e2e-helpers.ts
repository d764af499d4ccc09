import { randomUUID } from 'node:crypto';
import { UserProvisioningService } from '../../../src/modules/auth/accounts/user-provisioning.service';
import { uniqueEmail } from '../../support/auth-fixtures';
import type { TestApp } from '../../support/test-app';

/** Env shared by the auth e2e suites: cheap argon2 (production defaults stay OWASP). */
export const FAST_AUTH_ENV = {
  AUTH_PASSWORD_ARGON2_MEMORY_KIB: '2048',
  AUTH_PASSWORD_ARGON2_TIME_COST: '1',
};

export const STRONG_PASSWORD = 'Violet-Harbor-Lantern-42';

export interface PasswordUser {
  userId: string;
  tenantId: string;
  email: string;
  password: string;
}

/** A user with a real password and membership, created by the app's own provisioning service. */
export async function createPasswordUser(
  t: TestApp,
  options: {
    role?: string;
    tenantId?: string;
    emailVerified?: boolean;
    password?: string;
    status?: 'active' | 'pending' | 'disabled' | 'locked';
  } = {},
): Promise<PasswordUser> {
  const password = options.password ?? STRONG_PASSWORD;
  const provisioned = await t.app.get(UserProvisioningService).createUserWithTenant({
    email: uniqueEmail(options.role ?? 'user'),
    password,
    tenantName: options.tenantId ? undefined : `Tenant ${randomUUID().slice(0, 8)}`,
    tenantId: options.tenantId,
    role: options.role ?? 'owner',
    emailVerified: options.emailVerified ?? true,
    status: options.status ?? 'active',
  });
  return {
    userId: provisioned.userId,
    tenantId: provisioned.tenantId,
    email: provisioned.email,
    password,
  };
}

/** POST /api/v1/auth/token from a given client address (TRUSTED_PROXIES must trust loopback). */
export function loginAs(
  t: TestApp,
  body: Record<string, unknown>,
  ip = '198.51.100.10',
  userAgent = 'jest-e2e',
) {
  return t.http
    .post('/api/v1/auth/token')
    .set('X-Forwarded-For', ip)
    .set('User-Agent', userAgent)
    .send(body);
}

/** The body without its per-request id (to compare two error envelopes). */
export function withoutRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _ignored, ...rest } = body;
  return rest;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

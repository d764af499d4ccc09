import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { AuthFailures } from '../auth-failures';
import { AuthMetrics } from '../auth.metrics';
import { AccountUnlockService } from '../email/account-unlock.service';
import { PasswordCredentials } from '../passwords/password-credentials.service';
import { PasswordHasher } from '../passwords/password-hasher';
import type { ClientInfo } from '../client/client-info';
import { SessionIssuer, type IssuedSession } from '../sessions/session-issuer.service';
import { SigningUnavailableError } from '../tokens/token.service';
import type { Membership } from '../users/membership.repository';
import { UserRepository, type UserRecord } from '../users/user.repository';
import { AccountGate } from '../gate/account-gate.service';
import { LoginThrottle } from '../gate/login-throttle.service';
import { canonicalUuid } from '../../../platform/ids';

export interface LoginRequest {
  email: string;
  password: string;
  /** `""` counts as absent; anything else must be a UUID. */
  tenantId?: string | null;
}

/**
 * Password login in the reference's order: IP throttle (429), user lookup, membership, account
 * state, password, legacy rehash, then a new session. Unknown emails spend an argon2 verification
 * on a dummy hash and answer exactly like a wrong password (decision A5).
 */
@Injectable()
export class LoginService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly credentials: PasswordCredentials,
    private readonly throttle: LoginThrottle,
    private readonly gate: AccountGate,
    private readonly issuer: SessionIssuer,
    private readonly metrics: AuthMetrics,
    private readonly unlocks: AccountUnlockService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async login(request: LoginRequest, client: ClientInfo): Promise<IssuedSession> {
    const startedAt = performance.now();
    try {
      return await this.attempt(request, client);
    } catch (error) {
      this.metrics.loginAttempts.inc({ result: resultLabel(error) });
      throw error;
    } finally {
      this.metrics.loginLatency.observe(MetricsService.secondsSince(startedAt));
    }
  }

  /**
   * Steps 7-8 of a login whose credentials were already established (also used by signup right
   * after it set the password): clears the lockout, audits, and opens a new session.
   */
  async completeLogin(
    user: UserRecord,
    membership: Membership,
    client: ClientInfo,
  ): Promise<IssuedSession> {
    await this.throttle.clearUser(user.id);
    await this.gate.recordEvent(user.id, membership.tenantId, client, 'success', 'login');
    logEvent(this.log, 'info', 'auth.login', {
      result: 'success',
      user_id: user.id,
      tenant_id: membership.tenantId,
    });
    try {
      return await this.issuer.issue(
        {
          userId: user.id,
          tenantId: membership.tenantId,
          role: membership.role,
          emailVerified: user.emailVerifiedAt !== null,
          sessionId: randomUUID(),
        },
        client,
        'login',
      );
    } catch (error) {
      if (error instanceof SigningUnavailableError) throw AuthFailures.signingUnavailable();
      throw error;
    }
  }

  private async attempt(request: LoginRequest, client: ClientInfo): Promise<IssuedSession> {
    const tenantId = parseTenantId(request.tenantId);
    if (await this.throttle.ipBlocked(client.ip)) throw AuthFailures.ipThrottled();

    const user = await this.users.findByEmail(request.email.trim().toLowerCase());
    if (!user) {
      await this.hasher.verifyDummy(request.password);
      await this.throttle.registerIpFailure(client.ip);
      logEvent(this.log, 'info', 'auth.login_unknown_email', { result: 'failure' });
      throw AuthFailures.invalidCredentials();
    }

    // The account checks (a query and a Redis read) run while argon2 hashes on the thread pool,
    // so a known email costs the unknown path's time plus little more (no enumeration by timing).
    // Both are awaited before either outcome is used: an account refusal still wins over a wrong
    // password, as when the checks ran first.
    const [admitted, verified] = await Promise.allSettled([
      this.admit(user, tenantId, client),
      this.hasher.verify(request.password, user.passwordHash),
    ]);
    if (admitted.status === 'rejected') throw admitted.reason;
    if (verified.status === 'rejected') throw verified.reason;
    const membership = admitted.value;
    const check = verified.value;
    if (!check.valid) return this.rejectPassword(user, membership, client);
    if (check.needsRehash) await this.credentials.upgradeHash(user.id, request.password);

    const issued = await this.completeLogin(user, membership, client);
    this.metrics.loginAttempts.inc({ result: 'success' });
    return issued;
  }

  /** The membership to sign in to, once the account may sign in at all. */
  private async admit(
    user: UserRecord,
    tenantId: string | null,
    client: ClientInfo,
  ): Promise<Membership> {
    const membership = await this.gate.resolveMembership(user.id, tenantId, true);
    await this.gate.assertCanSignIn(user, membership.tenantId, client);
    return membership;
  }

  private async rejectPassword(
    user: UserRecord,
    membership: Membership,
    client: ClientInfo,
  ): Promise<never> {
    // Independent bookkeeping, sent together: one round trip's time instead of three.
    const [, attempts] = await Promise.all([
      this.throttle.registerIpFailure(client.ip),
      this.throttle.registerUserFailure(user.id),
      this.gate.recordEvent(user.id, membership.tenantId, client, 'failure', 'invalid_password'),
    ]);
    if (attempts < this.config.AUTH_LOCKOUT_THRESHOLD) throw AuthFailures.invalidCredentials();

    await this.unlocks.lock(user, membership.tenantId, client, attempts);
    throw AuthFailures.lockedOut();
  }
}

/** `""`/null/absent: no tenant; otherwise a UUID (lower-case canonical) or the 401. */
function parseTenantId(raw: string | null | undefined): string | null {
  const text = (raw ?? '').trim();
  if (!text) return null;
  const canonical = canonicalUuid(text);
  if (!canonical) throw AuthFailures.invalidTenantIdentifier();
  return canonical;
}

/** A bounded label for `auth_login_attempts_total{result}`. */
function resultLabel(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'invalid_credentials':
    case 'account_locked':
    case 'account_disabled':
    case 'account_pending':
    case 'ip_throttled':
    case 'tenant_required':
    case 'tenant_membership_missing':
    case 'invalid_tenant':
      return code;
    default:
      return 'error';
  }
}

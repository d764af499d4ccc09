import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RateLimiter } from '../../../platform/rate-limit';
import { AuthFailures } from '../auth-failures';
import { EmailVerificationService } from '../email/email-verification.service';
import { LoginService } from '../login/login.service';
import { errorKind, piiDigest } from '../pii-digest';
import type { ClientInfo } from '../client/client-info';
import type { IssuedSession } from '../sessions/session-issuer.service';
import {
  UserProvisioningService,
  type ProvisionedUser,
} from '../accounts/user-provisioning.service';
import { UserRepository } from '../users/user.repository';
import { SignupBillingRegistry } from './signup-billing.port';
import { selectTrialDays } from './trial-days';

export interface RegisterTenantInput {
  email: string;
  password: string;
  tenantName: string;
  displayName?: string | null;
  planCode?: string | null;
  trialDays?: number | null;
}

export interface RegisteredTenant extends IssuedSession {
  tenantSlug: string;
}

/**
 * Public signup: quota, switch, policy, provisioning (tenant + owner), billing, login, verification
 * email. Unlike the reference, a billing failure undoes the tenant and user it created, so a retry
 * with the same email works.
 */
@Injectable()
export class SignupService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly provisioning: UserProvisioningService,
    private readonly billing: SignupBillingRegistry,
    private readonly login: LoginService,
    private readonly users: UserRepository,
    private readonly verification: EmailVerificationService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async registerTenant(input: RegisterTenantInput, client: ClientInfo): Promise<RegisteredTenant> {
    await this.limiter.hit(
      {
        name: 'signup_per_hour',
        limit: this.config.SIGNUP_RATE_LIMIT_PER_HOUR,
        windowSeconds: 3600,
        scope: 'ip',
        logContext: {
          tenantId: 'public-signup',
          userId: client.ip ? piiDigest(this.config.sessionIpHashSalt, client.ip) : 'unknown',
        },
      },
      [client.ip ?? 'unknown'],
    );
    if (!this.config.ALLOW_PUBLIC_SIGNUP) throw AuthFailures.signupDisabled();

    const provisioned = await this.provisioning.createUserWithTenant({
      email: input.email,
      password: input.password,
      tenantName: input.tenantName,
      displayName: input.displayName,
      role: 'owner',
      status: 'active',
    });
    const planCode = await this.provisionBilling(provisioned, input);

    const user = await this.users.findById(provisioned.userId);
    if (!user) throw new Error('Provisioned user vanished');
    const issued = await this.login.completeLogin(
      user,
      { tenantId: provisioned.tenantId, role: provisioned.role },
      client,
    );
    await this.verification.sendLink(user, client).catch((error: unknown) =>
      logEvent(this.log, 'warn', 'signup.email_verification', {
        user_id: user.id,
        reason: errorKind(error),
      }),
    );
    logEvent(this.log, 'info', 'signup.completed', {
      tenant_id: provisioned.tenantId,
      tenant_slug: provisioned.tenantSlug,
      plan_code: planCode ?? 'none',
    });
    return { ...issued, tenantSlug: provisioned.tenantSlug };
  }

  /** Starts the subscription when billing is on; undoes the provisioning if that fails. */
  private async provisionBilling(
    provisioned: ProvisionedUser,
    input: RegisterTenantInput,
  ): Promise<string | null> {
    // Billing registers its port only when ENABLE_BILLING is on: no port means billing is off.
    const port = this.billing.get();
    const planCode = (input.planCode ?? this.config.SIGNUP_DEFAULT_PLAN_CODE ?? '').trim();
    if (!port || !planCode) {
      logEvent(this.log, 'info', 'signup.billing_skipped', {
        tenant_id: provisioned.tenantId,
        reason: port ? 'plan_missing' : 'billing_disabled',
      });
      return null;
    }
    try {
      const trialDays = selectTrialDays({
        planTrialDays: await this.planTrialDays(port.planTrialDays.bind(port), planCode),
        defaultTrialDays: this.config.SIGNUP_DEFAULT_TRIAL_DAYS,
        overrideAllowed: this.config.ALLOW_SIGNUP_TRIAL_OVERRIDE,
        requested: input.trialDays,
      });
      await port.startSignupSubscription({
        tenantId: provisioned.tenantId,
        planCode,
        billingEmail: provisioned.email,
        trialDays,
      });
      logEvent(this.log, 'info', 'signup.billing_provisioned', {
        tenant_id: provisioned.tenantId,
        plan_code: planCode,
        trial_days: trialDays,
      });
      return planCode;
    } catch (error) {
      await this.provisioning
        .removeProvisioned(provisioned)
        .catch((undoError: unknown) =>
          this.log.error(
            { err: undoError, tenant_id: provisioned.tenantId },
            'Signup billing failed and the tenant could not be removed',
          ),
        );
      logEvent(this.log, 'warn', 'signup.billing_failed', {
        tenant_id: provisioned.tenantId,
        plan_code: planCode,
        status: (error as { getStatus?: () => number }).getStatus?.() ?? 500,
      });
      throw error;
    }
  }

  /** The plan's trial cap; a lookup failure falls back to the default cap (logged). */
  private async planTrialDays(
    lookup: (planCode: string) => Promise<number | null>,
    planCode: string,
  ): Promise<number | null> {
    try {
      return await lookup(planCode);
    } catch (error) {
      logEvent(this.log, 'warn', 'signup.plan_lookup_failed', {
        plan_code: planCode,
        error: errorKind(error),
      });
      return null;
    }
  }
}

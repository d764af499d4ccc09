import { Injectable } from '@nestjs/common';
import type { SignupBillingPort, SignupSubscriptionRequest } from '../../auth';
import { PlanService } from '../plans/plan.service';
import { SubscriptionService } from '../subscriptions/subscription.service';

/**
 * Billing's side of auth's signup port: the plan's trial cap, and a subscription start with one
 * seat, auto-renew and the trial. Failures are BillingExceptions (404 plan, 409 state, 400
 * request/config, 502 Stripe unavailable) as the port expects.
 */
@Injectable()
export class SignupBillingAdapter implements SignupBillingPort {
  constructor(
    private readonly plans: PlanService,
    private readonly subscriptions: SubscriptionService,
  ) {}

  planTrialDays(planCode: string): Promise<number | null> {
    return this.plans.trialDays(planCode);
  }

  async startSignupSubscription(request: SignupSubscriptionRequest): Promise<void> {
    // No actor: the signing-up user has no principal yet, so the audit record is the system's.
    await this.subscriptions.start(
      request.tenantId,
      {
        planCode: request.planCode,
        billingEmail: request.billingEmail,
        autoRenew: true,
        seatCount: 1,
        trialDays: request.trialDays,
      },
      null,
    );
  }
}

import { Injectable } from '@nestjs/common';

export interface SignupSubscriptionRequest {
  tenantId: string;
  planCode: string;
  billingEmail: string;
  /** Null or <= 0: no trial. */
  trialDays: number | null;
}

/**
 * What signup needs from billing (the architecture's port: auth imports no feature module).
 * Billing implements it and registers it with `SignupBillingRegistry` when billing is enabled.
 * Failures are thrown as `AppException`s carrying the status signup must answer
 * (404 unknown plan, 409 state conflict, 400 other billing errors, 502 payment provider).
 */
export interface SignupBillingPort {
  /** The plan's `trial_days` (trial cap), or null when the plan does not exist. */
  planTrialDays(planCode: string): Promise<number | null>;
  startSignupSubscription(request: SignupSubscriptionRequest): Promise<void>;
}

/** Holds the billing implementation of the port, if the billing module is mounted. */
@Injectable()
export class SignupBillingRegistry {
  private port?: SignupBillingPort;

  register(port: SignupBillingPort): void {
    this.port = port;
  }

  get(): SignupBillingPort | undefined {
    return this.port;
  }
}

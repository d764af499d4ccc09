import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../../../platform/config/app-config';

/**
 * Stripe-Signature verification on the raw body: HMAC-SHA256 of `<t>.<body>`, any matching `v1`,
 * timestamp within STRIPE_WEBHOOK_TOLERANCE_SECONDS. During a secret rotation both
 * STRIPE_WEBHOOK_SECRET and STRIPE_WEBHOOK_SECRET_PREVIOUS are accepted.
 */
@Injectable()
export class WebhookSignatureVerifier {
  private readonly secrets: string[];

  constructor(private readonly config: AppConfig) {
    this.secrets = [config.STRIPE_WEBHOOK_SECRET, config.STRIPE_WEBHOOK_SECRET_PREVIOUS]
      .map((secret) => secret?.trim())
      .filter((secret): secret is string => Boolean(secret));
  }

  get configured(): boolean {
    return this.secrets.length > 0;
  }

  /** Throws Stripe's verification error (its message says why) when no secret matches. */
  verify(payload: string, header: string): void {
    const signature = Stripe.webhooks.signature;
    if (!signature) throw new Error('stripe-node signature verification is unavailable');
    let lastError: unknown;
    for (const secret of this.secrets) {
      try {
        signature.verifyHeader(
          payload,
          header,
          secret,
          this.config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        );
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('Signature verification failed');
  }
}

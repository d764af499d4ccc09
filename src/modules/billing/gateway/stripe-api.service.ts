import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { BillingMetrics, labelValue } from '../billing.metrics';

/** Stripe API operations (metric label `operation` of `stripe_api_requests_total`). */
export type StripeApiOperation =
  | 'customer.create'
  | 'customer.modify'
  | 'subscription.create'
  | 'subscription.retrieve'
  | 'subscription.modify'
  | 'subscription.cancel'
  | 'meter_event.create'
  | 'checkout_session.create'
  | 'billing_portal_session.create';

/** A Stripe call that failed for good (after retries, or at once when not retryable). */
export class StripeCallFailure extends Error {
  constructor(
    readonly operation: StripeApiOperation,
    readonly error: unknown,
    readonly retryable: boolean,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.name = 'StripeCallFailure';
  }

  get stripeError(): Stripe.errors.StripeError | undefined {
    return this.error instanceof Stripe.errors.StripeError ? this.error : undefined;
  }
}

const BASE_BACKOFF_MS = 500;
const JITTER_MS = 500;
const MAX_RETRY_AFTER_MS = 5000;

/** Reference result label: Stripe code, else type, else class name; `exception` for non-Stripe. */
export function stripeResultLabel(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return labelValue(error.code ?? error.rawType ?? error.type);
  }
  return 'exception';
}

/**
 * Whether a failed Stripe request may be sent again: connection errors, 409 lock conflicts, 429 and
 * 5xx, unless Stripe says otherwise with `Stripe-Should-Retry`. Idempotency errors and every other
 * 4xx are permanent (the reference retried idempotency errors).
 */
export function isRetryableStripeError(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  const advice = error.headers?.['stripe-should-retry'];
  if (advice === 'false') return false;
  if (advice === 'true') return true;
  if (error instanceof Stripe.errors.StripeIdempotencyError) return false;
  if (error instanceof Stripe.errors.StripeConnectionError) return true;
  const status = error.statusCode ?? 0;
  return status === 409 || status === 429 || status >= 500;
}

/**
 * Every Stripe SDK call goes through here: bounded retries of retryable errors with exponential
 * backoff and jitter (honouring `Retry-After`), one metric sample and one warning per failed
 * attempt. Callers pass the same idempotency key on every attempt, so a retry is the same
 * Stripe request.
 */
@Injectable()
export class StripeApi {
  private readonly log: Logger;
  private readonly maxAttempts: number;

  constructor(
    config: AppConfig,
    loggers: LoggerFactory,
    private readonly metrics: BillingMetrics,
  ) {
    this.log = loggers.get('anything-agents.infrastructure.stripe');
    this.maxAttempts = config.STRIPE_MAX_NETWORK_RETRIES + 1;
  }

  async call<T>(operation: StripeApiOperation, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const startedAt = performance.now();
      try {
        const result = await request();
        this.record(operation, 'success', startedAt);
        return result;
      } catch (error) {
        this.record(operation, stripeResultLabel(error), startedAt);
        const retryable = isRetryableStripeError(error);
        this.log.warn(
          {
            operation,
            attempt,
            max_attempts: this.maxAttempts,
            retryable,
            stripe_code: error instanceof Stripe.errors.StripeError ? error.code : undefined,
            status: error instanceof Stripe.errors.StripeError ? error.statusCode : undefined,
            err: error instanceof Error ? error.message : String(error),
          },
          `Stripe ${operation} failed (attempt ${attempt}/${this.maxAttempts})`,
        );
        if (!retryable || attempt >= this.maxAttempts) {
          throw new StripeCallFailure(operation, error, retryable);
        }
        await sleep(backoffMs(attempt, error));
      }
    }
  }

  private record(operation: StripeApiOperation, result: string, startedAt: number): void {
    const labels = { operation, result };
    this.metrics.apiRequests.inc(labels);
    this.metrics.apiLatency.observe(labels, MetricsService.secondsSince(startedAt));
  }
}

function backoffMs(attempt: number, error: unknown): number {
  const retryAfter =
    error instanceof Stripe.errors.StripeError ? Number(error.headers?.['retry-after']) : NaN;
  if (Number.isFinite(retryAfter) && retryAfter > 0) {
    return Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
  }
  return BASE_BACKOFF_MS * 2 ** (attempt - 1) + Math.random() * JITTER_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../platform/config/app-config';
import { maskSecret } from '../../platform/config/masking';
import { LoggerFactory } from '../../platform/observability/logger.factory';
import { SeatLimitRegistry, SignupBillingRegistry } from '../auth';
import { TurnUsageRecorderRegistry } from '../conversations';
import { SignupBillingAdapter } from './signup/signup-billing.adapter';
import { ChatEntitlementsAdapter } from './entitlements/chat-entitlements.adapter';
import { SeatLimitAdapter } from './subscriptions/seat-limit.adapter';
import { ChatEntitlementsRegistry } from '../chat';
import { ChatUsageRecorder } from './usage/chat-usage.recorder';

/** Production billing refuses to start without Postgres, Stripe secrets, or Redis for streams. */
export function billingProductionProblems(config: AppConfig): string[] {
  if (!config.ENABLE_BILLING || !config.isProduction) return [];
  const problems: string[] = [];
  if (config.usesEmbeddedDatabase) {
    problems.push('ENABLE_BILLING requires DATABASE_URL (Postgres-backed billing storage)');
  }
  if (config.ENABLE_BILLING_STREAM && !config.billingEventsRedisUrl) {
    problems.push('ENABLE_BILLING_STREAM requires BILLING_EVENTS_REDIS_URL or REDIS_URL');
  }
  if (!config.STRIPE_SECRET_KEY || !config.STRIPE_WEBHOOK_SECRET) {
    problems.push('ENABLE_BILLING requires STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
  }
  return problems;
}

/**
 * Boot-time wiring of billing: the production fail-fast rules, the validated-configuration
 * summary of the reference (masked secrets), billing's implementations of auth's signup and
 * seat-limit ports, and of conversations' turn-usage port (metered chat usage).
 */
@Injectable()
export class BillingBootstrap implements OnModuleInit {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly signupRegistry: SignupBillingRegistry,
    private readonly signup: SignupBillingAdapter,
    private readonly seatRegistry: SeatLimitRegistry,
    private readonly seats: SeatLimitAdapter,
    private readonly turnUsageRegistry: TurnUsageRecorderRegistry,
    private readonly chatUsage: ChatUsageRecorder,
    private readonly chatEntitlementsRegistry: ChatEntitlementsRegistry,
    private readonly chatEntitlements: ChatEntitlementsAdapter,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.billing');
  }

  onModuleInit(): void {
    const problems = billingProductionProblems(this.config);
    if (problems.length > 0) {
      throw new Error(`Billing cannot start: ${problems.join('; ')}`);
    }
    this.logSummary();
    this.registerPorts();
  }

  private logSummary(): void {
    const plans = Object.keys(this.config.STRIPE_PRODUCT_PRICE_MAP).sort();
    const streamOn = this.config.ENABLE_BILLING_STREAM;
    const backend = this.config.BILLING_EVENTS_REDIS_URL
      ? 'BILLING_EVENTS_REDIS_URL'
      : this.config.REDIS_URL
        ? 'REDIS_URL'
        : '<unset>';
    this.log.info(
      {
        stripe_config: {
          stripe_secret_key: maskSecret(this.config.STRIPE_SECRET_KEY),
          stripe_webhook_secret: maskSecret(this.config.STRIPE_WEBHOOK_SECRET),
          plans_configured: plans,
          plan_count: plans.length,
          billing_stream_enabled: streamOn,
          billing_stream_backend: streamOn ? backend : 'disabled',
          stripe_api_version: this.config.STRIPE_API_VERSION,
        },
      },
      `Stripe billing configuration validated; ${plans.length} plan(s) mapped.`,
    );
  }

  /**
   * Auth declares the signup and seat-limit ports, conversations the turn-usage port; billing
   * provides them (neither imports a feature module).
   */
  private registerPorts(): void {
    this.signupRegistry.register(this.signup);
    this.seatRegistry.register(this.seats);
    this.turnUsageRegistry.register(this.chatUsage);
    this.chatEntitlementsRegistry.register(this.chatEntitlements);
  }
}

import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../platform/config/app-config';
import { BillingErrorCode, BillingException } from '../billing.errors';
import { usageIdentifier } from '../gateway/idempotency-keys';
import { viaProvider } from '../gateway/provider-errors';
import { StripeGateway } from '../gateway/stripe-gateway.service';
import { isTerminalStatus } from '../gateway/stripe-objects';
import { SubscriptionService } from '../subscriptions/subscription.service';
import { UsageEventRepository } from './usage-event.repository';
import { UsageRepository, type DailyUsage, type UsageTotal } from './usage.repository';

export interface RecordUsageCommand {
  featureKey: string;
  quantity: number;
  idempotencyKey: string | null;
  periodStart: string | null;
  periodEnd: string | null;
}

export interface UsageSummary {
  periodStart: Date;
  periodEnd: Date;
  /** Both ledgers per feature: reported usage and metered usage (e.g. `chat_tokens`). */
  features: UsageTotal[];
  /** Both ledgers per UTC day and feature. */
  daily: DailyUsage[];
}

/** Stripe accepts meter events up to 35 days old and 5 minutes ahead. */
const MAX_AGE_SECONDS = 35 * 24 * 3600;
const MAX_AHEAD_SECONDS = 5 * 60;
const DEFAULT_PERIOD_DAYS = 30;

/**
 * Usage reports: one Billing Meter event per report (the replaced service used Stripe's removed
 * usage records), whose `identifier` is our usage idempotency key, then one ledger row. A report
 * whose key is already in the ledger is acknowledged without calling Stripe; a concurrent duplicate
 * sends the same identifier and idempotency key, so Stripe still counts it once.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly usage: UsageRepository,
    private readonly events: UsageEventRepository,
    private readonly gateway: StripeGateway,
    private readonly config: AppConfig,
  ) {}

  async record(tenantId: string, command: RecordUsageCommand): Promise<void> {
    const row = await this.subscriptions.requireRow(tenantId);
    if (!row.processorSubscriptionId || !row.processorCustomerId) {
      throw BillingException.missingProcessorId();
    }
    if (isTerminalStatus(row.status)) throw BillingException.canceled();
    const now = new Date();
    const periodStart = parseInstant(command.periodStart, 'period_start') ?? now;
    const periodEnd = parseInstant(command.periodEnd, 'period_end') ?? now;
    const reportedAt =
      parseInstant(command.periodEnd, 'period_end') ??
      parseInstant(command.periodStart, 'period_start') ??
      now;
    const timestamp = Math.floor(reportedAt.getTime() / 1000);
    assertReportable(timestamp, Math.floor(now.getTime() / 1000));

    const key = command.idempotencyKey;
    if (key && (await this.usage.exists(row.id, command.featureKey, key))) return;
    const customerId = row.processorCustomerId;
    const subscriptionId = row.processorSubscriptionId;
    await viaProvider(() =>
      this.gateway.recordUsage({
        tenantId,
        subscriptionId,
        customerId,
        eventName: this.config.STRIPE_METER_EVENT_MAP[command.featureKey] ?? command.featureKey,
        featureKey: command.featureKey,
        quantity: command.quantity,
        timestamp,
        identifier: key
          ? usageIdentifier(tenantId, command.featureKey, key)
          : `usage_${randomUUID().replace(/-/g, '')}`,
      }),
    );
    await this.usage.insertIgnoringDuplicate({
      subscriptionId: row.id,
      featureKey: command.featureKey,
      quantity: command.quantity,
      periodStart,
      periodEnd,
      externalEventId: key,
    });
  }

  /**
   * Totals per feature and per day for the current billing period (or the last 30 days), over
   * the reported usage ledger and the metered usage events (chat tokens) together.
   */
  async summary(tenantId: string): Promise<UsageSummary> {
    const row = await this.subscriptions.requireRow(tenantId);
    const periodEnd = row.currentPeriodEnd ?? new Date();
    const periodStart =
      row.currentPeriodStart ?? new Date(periodEnd.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000);
    const [reported, metered, daily] = await Promise.all([
      this.usage.totalsSince(row.id, periodStart, periodEnd),
      this.events.totalsBetween(tenantId, periodStart, periodEnd),
      this.usage.dailyBetween(row.id, tenantId, periodStart, periodEnd),
    ]);
    return { periodStart, periodEnd, features: mergeTotals(reported, metered), daily };
  }
}

/** Per-feature totals of both ledgers, summed where a feature key appears in both. */
function mergeTotals(...lists: UsageTotal[][]): UsageTotal[] {
  const byFeature = new Map<string, UsageTotal>();
  for (const total of lists.flat()) {
    const seen = byFeature.get(total.featureKey);
    byFeature.set(
      total.featureKey,
      seen
        ? {
            featureKey: total.featureKey,
            quantity: seen.quantity + total.quantity,
            records: seen.records + total.records,
          }
        : { ...total },
    );
  }
  return [...byFeature.values()].sort((a, b) =>
    a.featureKey < b.featureKey ? -1 : a.featureKey > b.featureKey ? 1 : 0,
  );
}

/** ISO-8601 instant; a value without an offset is UTC (reference rule). */
function parseInstant(value: string | null, field: string): Date | null {
  if (!value) return null;
  const text = value.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(text)
      ? text
      : `${text}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) {
    throw new BillingException(400, `Invalid ${field}.`, BillingErrorCode.InvalidUsage);
  }
  return date;
}

function assertReportable(timestamp: number, now: number): void {
  if (timestamp < now - MAX_AGE_SECONDS || timestamp > now + MAX_AHEAD_SECONDS) {
    throw new BillingException(
      400,
      'Usage timestamp must be within the past 35 days and at most 5 minutes in the future.',
      BillingErrorCode.InvalidUsage,
    );
  }
}

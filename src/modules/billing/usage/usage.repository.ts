import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SubscriptionUsageEntity } from '../entities/subscription-usage.entity';

export interface UsageWrite {
  subscriptionId: string;
  featureKey: string;
  quantity: number;
  periodStart: Date;
  periodEnd: Date;
  externalEventId: string | null;
}

export interface UsageTotal {
  featureKey: string;
  quantity: number;
  records: number;
}

export interface DailyUsage {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  featureKey: string;
  quantity: number;
}

/** `subscription_usage`: the usage ledger; one row per (subscription, feature, key). */
@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async exists(
    subscriptionId: string,
    featureKey: string,
    externalEventId: string,
    manager?: EntityManager,
  ): Promise<boolean> {
    const count = await (manager ?? this.dataSource.manager).count(SubscriptionUsageEntity, {
      where: { subscriptionId, featureKey, externalEventId },
    });
    return count > 0;
  }

  /** Inserts one ledger row; a row with the same key already there is kept (atomic dedupe). */
  async insertIgnoringDuplicate(usage: UsageWrite, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query(
      `INSERT INTO subscription_usage
         (subscription_id, feature_key, unit, period_start, period_end, quantity, reported_at, external_event_id)
       VALUES ($1, $2, 'units', $3, $4, $5, now(), $6)
       ON CONFLICT (subscription_id, feature_key, external_event_id) WHERE external_event_id IS NOT NULL
       DO NOTHING
       RETURNING id`,
      [
        usage.subscriptionId,
        usage.featureKey,
        usage.periodStart,
        usage.periodEnd,
        usage.quantity,
        usage.externalEventId,
      ],
    );
    return rows.length > 0;
  }

  /** Totals per feature of the rows whose period starts within [from, to). */
  async totalsSince(subscriptionId: string, from: Date, to: Date): Promise<UsageTotal[]> {
    const rows: { feature_key: string; quantity: string; records: string }[] =
      await this.dataSource.query(
        `SELECT feature_key, SUM(quantity)::bigint AS quantity, COUNT(*)::bigint AS records
         FROM subscription_usage
         WHERE subscription_id = $1 AND period_start >= $2 AND period_start < $3
         GROUP BY feature_key ORDER BY feature_key`,
        [subscriptionId, from, to],
      );
    return rows.map((row) => ({
      featureKey: row.feature_key,
      quantity: Number(row.quantity),
      records: Number(row.records),
    }));
  }

  /**
   * Quantities per UTC day and feature within [from, to), from both ledgers: reported usage
   * (`subscription_usage`, by `period_start`) and metered usage (`usage_events`, by `occurred_at`,
   * whatever its outbox state). Oldest day first.
   */
  async dailyBetween(
    subscriptionId: string,
    tenantId: string,
    from: Date,
    to: Date,
  ): Promise<DailyUsage[]> {
    const rows: { day: string; feature_key: string; quantity: string }[] =
      await this.dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, feature_key, SUM(quantity)::bigint AS quantity
           FROM (
             SELECT (period_start AT TIME ZONE 'UTC')::date AS day, feature_key,
                    quantity::bigint AS quantity
               FROM subscription_usage
              WHERE subscription_id = $1 AND period_start >= $3 AND period_start < $4
             UNION ALL
             SELECT (occurred_at AT TIME ZONE 'UTC')::date, feature_key, quantity
               FROM usage_events
              WHERE tenant_id = $2 AND occurred_at >= $3 AND occurred_at < $4
           ) u
          GROUP BY day, feature_key
          ORDER BY day, feature_key`,
        [subscriptionId, tenantId, from, to],
      );
    return rows.map((row) => ({
      date: row.day,
      featureKey: row.feature_key,
      quantity: Number(row.quantity),
    }));
  }
}

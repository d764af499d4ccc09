import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { firstRow } from '../../../platform/database';
import type { EntitlementInputs } from './entitlement-rules';

interface SubscriptionPlanRow {
  status: string;
  seat_count: number | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  code: string;
  feature_toggles: Record<string, unknown> | null;
  limits: Record<string, number | null>;
}

/**
 * The read behind entitlements: the tenant's subscription with its plan and plan limits in one
 * statement (a read model over tenant_subscriptions, billing_plans and plan_features; the
 * consumption is `UsageEventRepository.quantityBetween`).
 */
@Injectable()
export class EntitlementsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async subscriptionOf(tenantId: string): Promise<EntitlementInputs['subscription']> {
    const row = await firstRow<SubscriptionPlanRow>(
      this.dataSource.manager,
      `SELECT s.status, s.seat_count, s.current_period_start, s.current_period_end,
              p.code, p.feature_toggles,
              COALESCE(json_object_agg(f.feature_key, f.hard_limit)
                         FILTER (WHERE f.feature_key IS NOT NULL), '{}'::json) AS limits
         FROM tenant_subscriptions s
         JOIN billing_plans p ON p.id = s.plan_id
         LEFT JOIN plan_features f ON f.plan_id = p.id
        WHERE s.tenant_id = $1
        GROUP BY s.id, p.id
        ORDER BY s.created_at DESC
        LIMIT 1`,
      [tenantId],
    );
    if (!row) return null;
    return {
      status: row.status,
      planCode: row.code,
      featureToggles: row.feature_toggles,
      limits: row.limits,
      seatCount: row.seat_count,
      currentPeriodStart: row.current_period_start ? new Date(row.current_period_start) : null,
      currentPeriodEnd: row.current_period_end ? new Date(row.current_period_end) : null,
    };
  }
}

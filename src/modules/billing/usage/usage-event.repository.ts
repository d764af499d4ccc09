import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf, type Sql } from '../../../platform/database';
import type { MeterState } from '../entities/usage-event.entity';

const MAX_ERROR_CHARS = 2000;

export interface NewUsageEvent {
  tenantId: string;
  featureKey: string;
  quantity: number;
  occurredAt: Date;
  sourceType: string;
  sourceId: string;
}

/** A usage event claimed by one worker until `lease` (its claim token). */
export interface ClaimedUsageEvent {
  id: string;
  tenantId: string;
  featureKey: string;
  quantity: number;
  occurredAt: Date;
  sourceType: string;
  sourceId: string;
  /** Attempts made before this claim. */
  attempts: number;
  /** `lease_until` as Postgres printed it (exact to the microsecond): the claim token. */
  lease: string;
}

export interface UsageEventTotal {
  featureKey: string;
  quantity: number;
  records: number;
}

interface RawClaim {
  id: string;
  tenant_id: string;
  feature_key: string;
  quantity: string;
  occurred_at: Date;
  source_type: string;
  source_id: string;
  attempts: number;
  lease: string;
}

/**
 * `usage_events`: metered usage and its Stripe outbox state (docs/billing-metering.md). Rows are
 * claimed with FOR UPDATE SKIP LOCKED and a lease (decision P12); every later transition names the
 * lease it was claimed with, so a worker whose lease lapsed (and whose row another worker claimed
 * since) changes nothing.
 */
@Injectable()
export class UsageEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts one event; an event of the same (tenant, feature, source) is kept. True if new. */
  async insert(event: NewUsageEvent, sql: Sql = this.dataSource.manager): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      sql,
      `INSERT INTO usage_events
         (tenant_id, feature_key, quantity, occurred_at, source_type, source_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, feature_key, source_id) DO NOTHING
       RETURNING id`,
      [
        event.tenantId,
        event.featureKey,
        event.quantity,
        event.occurredAt,
        event.sourceType,
        event.sourceId,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Claims up to `limit` due pending events (next attempt reached, no live lease) for
   * `leaseSeconds`: concurrent claimers skip each other's rows, and a row whose lease lapsed (its
   * worker died) is claimable again. `tenantIds` limits the claim to some tenants (tests and
   * operator tooling; the worker claims every tenant's events).
   */
  async claimDue(
    limit: number,
    leaseSeconds: number,
    tenantIds: string[] | null = null,
  ): Promise<ClaimedUsageEvent[]> {
    const rows = await rowsOf<RawClaim>(
      this.dataSource.manager,
      `UPDATE usage_events e
          SET lease_until = now() + make_interval(secs => $2)
        WHERE e.id IN (
          SELECT id FROM usage_events
           WHERE meter_state = 'pending' AND next_attempt_at <= now()
             AND (lease_until IS NULL OR lease_until <= now())
             AND ($3::uuid[] IS NULL OR tenant_id = ANY($3::uuid[]))
           ORDER BY next_attempt_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING e.id, e.tenant_id, e.feature_key, e.quantity, e.occurred_at, e.source_type,
                  e.source_id, e.attempts, e.lease_until::text AS lease`,
      [limit, leaseSeconds, tenantIds],
    );
    return rows
      .map((row) => ({
        id: row.id,
        tenantId: row.tenant_id,
        featureKey: row.feature_key,
        quantity: Number(row.quantity),
        occurredAt: new Date(row.occurred_at),
        sourceType: row.source_type,
        sourceId: row.source_id,
        attempts: Number(row.attempts),
        lease: row.lease,
      }))
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  }

  /** Final state (`sent`, `skipped` or `dead`) if the claim still holds. */
  async settle(
    event: ClaimedUsageEvent,
    state: Exclude<MeterState, 'pending'>,
    error: string | null = null,
  ): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      this.dataSource.manager,
      `UPDATE usage_events
          SET meter_state = $3::varchar,
              attempts = attempts + CASE WHEN $3::varchar = 'skipped' THEN 0 ELSE 1 END,
              sent_at = CASE WHEN $3::varchar = 'sent' THEN now() ELSE sent_at END,
              last_error = $4::text, lease_until = NULL
        WHERE id = $1 AND meter_state = 'pending' AND lease_until = $2::timestamptz
        RETURNING id`,
      [event.id, event.lease, state, error?.slice(0, MAX_ERROR_CHARS) ?? null],
    );
    return rows.length > 0;
  }

  /** A failed attempt that will be retried after `delaySeconds`, if the claim still holds. */
  async retryLater(
    event: ClaimedUsageEvent,
    error: string,
    delaySeconds: number,
  ): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      this.dataSource.manager,
      `UPDATE usage_events
          SET attempts = attempts + 1, last_error = $3, lease_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4)
        WHERE id = $1 AND meter_state = 'pending' AND lease_until = $2::timestamptz
        RETURNING id`,
      [event.id, event.lease, error.slice(0, MAX_ERROR_CHARS), delaySeconds],
    );
    return rows.length > 0;
  }

  /** Events still waiting to be sent (gauge `billing_meter_events_pending`). */
  async pendingCount(): Promise<number> {
    const rows = await rowsOf<{ count: string }>(
      this.dataSource.manager,
      `SELECT count(*) AS count FROM usage_events WHERE meter_state = 'pending'`,
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Totals per feature of the tenant's events that occurred within [from, to), any state. */
  /** Sum of `quantity` of a tenant's feature in [start, end) (the quota's consumption). */
  async quantityBetween(
    tenantId: string,
    featureKey: string,
    period: { start: Date; end: Date },
  ): Promise<number> {
    const [row] = await rowsOf<{ used: string }>(
      this.dataSource.manager,
      `SELECT COALESCE(SUM(quantity), 0)::text AS used
         FROM usage_events
        WHERE tenant_id = $1 AND feature_key = $2 AND occurred_at >= $3 AND occurred_at < $4`,
      [tenantId, featureKey, period.start, period.end],
    );
    return Number(row?.used ?? 0);
  }

  async totalsBetween(tenantId: string, from: Date, to: Date): Promise<UsageEventTotal[]> {
    const rows = await rowsOf<{ feature_key: string; quantity: string; records: string }>(
      this.dataSource.manager,
      `SELECT feature_key, SUM(quantity)::bigint AS quantity, COUNT(*)::bigint AS records
         FROM usage_events
        WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3
        GROUP BY feature_key ORDER BY feature_key`,
      [tenantId, from, to],
    );
    return rows.map((row) => ({
      featureKey: row.feature_key,
      quantity: Number(row.quantity),
      records: Number(row.records),
    }));
  }
}

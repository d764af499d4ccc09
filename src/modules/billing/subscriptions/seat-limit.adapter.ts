import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { firstRow } from '../../../platform/database';
import type { SeatLimitPort } from '../../auth';

/** Statuses of a subscription that still grants its seats (Stripe keeps a past_due one live). */
export const SEAT_GRANTING_STATUSES: readonly string[] = ['trialing', 'active', 'past_due'];

/**
 * Billing's side of auth's seat-limit port: the `seat_count` of the tenant's live subscription,
 * null when it has none (or no seat count). One read on the (tenant_id, status) index per call;
 * not cached, so a seat change applies to the next invitation at once.
 */
@Injectable()
export class SeatLimitAdapter implements SeatLimitPort {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seatLimit(tenantId: string): Promise<number | null> {
    const row = await firstRow<{ seat_count: number | null }>(
      this.dataSource.manager,
      `SELECT seat_count FROM tenant_subscriptions
        WHERE tenant_id = $1 AND status = ANY($2::text[])
        LIMIT 1`,
      [tenantId, SEAT_GRANTING_STATUSES],
    );
    return row?.seat_count ?? null;
  }
}

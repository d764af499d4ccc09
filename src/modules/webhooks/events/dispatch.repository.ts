import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../../platform/database';
import type { DispatchStatus } from '../entities/stripe-event-dispatch.entity';

/** A dispatch row as the dispatcher sees it. */
export interface DispatchRow {
  id: string;
  eventId: string;
  handler: string;
  status: DispatchStatus;
  attempts: number;
  lastAttemptAt: Date | null;
  nextRetryAt: Date | null;
  lastError: string | null;
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A dispatch row with its event, for listings. */
export interface DispatchListing extends DispatchRow {
  stripeEventId: string;
  eventType: string;
  tenantHint: string | null;
}

interface RawDispatch {
  id: string;
  stripe_event_id: string;
  handler: string;
  status: DispatchStatus;
  attempts: number;
  last_attempt_at: Date | null;
  next_retry_at: Date | null;
  last_error: string | null;
  lease_token: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `d.id, d.stripe_event_id, d.handler, d.status, d.attempts, d.last_attempt_at,
  d.next_retry_at, d.last_error, d.lease_token, d.lease_expires_at, d.created_at, d.updated_at`;

/** Claiming a row: in progress, one more attempt, a fresh lease only its holder can settle. */
const CLAIM_SET = `status = 'in_progress', attempts = d.attempts + 1, last_attempt_at = now(),
  next_retry_at = NULL, last_error = NULL, lease_token = gen_random_uuid(),
  lease_expires_at = now() + make_interval(secs => $2), updated_at = now()`;

const MAX_ERROR_CHARS = 4000;

function toRow(raw: RawDispatch): DispatchRow {
  return {
    id: raw.id,
    eventId: raw.stripe_event_id,
    handler: raw.handler,
    status: raw.status,
    attempts: Number(raw.attempts),
    lastAttemptAt: raw.last_attempt_at,
    nextRetryAt: raw.next_retry_at,
    lastError: raw.last_error,
    leaseToken: raw.lease_token,
    leaseExpiresAt: raw.lease_expires_at,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/**
 * `stripe_event_dispatch` (decisions B2/P12). Rows are claimed atomically (a conditional UPDATE, or
 * FOR UPDATE SKIP LOCKED for batches) and leased, so any number of replicas never run one row at
 * the same time; completion and failure are fenced by the lease token, so a holder whose lease
 * lapsed cannot overwrite the new holder's outcome.
 */
@Injectable()
export class DispatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async createPending(eventId: string, handler: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO stripe_event_dispatch (stripe_event_id, handler) VALUES ($1, $2)
       ON CONFLICT (stripe_event_id, handler) DO NOTHING`,
      [eventId, handler],
    );
  }

  /** The row of (event, handler), created `pending` when missing (unique-race safe). */
  async getOrCreate(eventId: string, handler: string): Promise<DispatchRow> {
    await this.createPending(eventId, handler);
    const rows = await rowsOf<RawDispatch>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM stripe_event_dispatch d WHERE d.stripe_event_id = $1 AND d.handler = $2`,
      [eventId, handler],
    );
    return toRow(rows[0]);
  }

  async findById(id: string): Promise<DispatchRow | null> {
    const rows = await rowsOf<RawDispatch>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM stripe_event_dispatch d WHERE d.id = $1`,
      [id],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async findByEvent(eventId: string): Promise<DispatchRow[]> {
    const rows = await rowsOf<RawDispatch>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM stripe_event_dispatch d WHERE d.stripe_event_id = $1 ORDER BY d.created_at`,
      [eventId],
    );
    return rows.map(toRow);
  }

  /**
   * Claims one row for live dispatch: only while `pending` (or in progress with a lapsed lease).
   * `force` (operator replay) also takes completed, failed and dead rows.
   */
  async claim(id: string, leaseSeconds: number, force = false): Promise<DispatchRow | null> {
    const statuses = force ? `('pending', 'failed', 'dead', 'completed')` : `('pending')`;
    const rows = await rowsOf<RawDispatch>(
      this.dataSource.manager,
      `UPDATE stripe_event_dispatch d SET ${CLAIM_SET}
        WHERE d.id = $1
          AND (d.status IN ${statuses} OR (d.status = 'in_progress' AND d.lease_expires_at < now()))
        RETURNING ${COLUMNS}`,
      [id, leaseSeconds],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * Claims up to `limit` due rows for the retry worker: failed ones whose retry time came,
   * in-progress ones whose lease lapsed (stuck), and pending ones older than `pendingGraceSeconds`
   * (the storing process normally dispatches them at once; older ones were orphaned by a crash).
   * SKIP LOCKED lets replicas claim disjoint batches.
   */
  async claimDue(
    limit: number,
    leaseSeconds: number,
    pendingGraceSeconds: number,
  ): Promise<DispatchRow[]> {
    const rows = await rowsOf<RawDispatch>(
      this.dataSource.manager,
      `UPDATE stripe_event_dispatch d SET ${CLAIM_SET}
        WHERE d.id IN (
          SELECT id FROM stripe_event_dispatch
           WHERE (status = 'failed' AND (next_retry_at IS NULL OR next_retry_at <= now()))
              OR (status = 'pending' AND (next_retry_at IS NULL OR next_retry_at <= now())
                  AND updated_at < now() - make_interval(secs => $3))
              OR (status = 'in_progress' AND lease_expires_at < now())
           ORDER BY next_retry_at ASC NULLS FIRST, created_at ASC
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [limit, leaseSeconds, pendingGraceSeconds],
    );
    return rows.map(toRow);
  }

  /** Completes the row if `token` still holds its lease (inside the handler's transaction). */
  async complete(id: string, token: string, manager: EntityManager): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      manager,
      `UPDATE stripe_event_dispatch
          SET status = 'completed', next_retry_at = NULL, last_error = NULL,
              lease_token = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND lease_token = $2 AND status = 'in_progress'
        RETURNING id`,
      [id, token],
    );
    return rows.length > 0;
  }

  /** Fails the row (retry at `nextRetryAt`, or `dead` when null) if `token` holds its lease. */
  async fail(id: string, token: string, error: string, nextRetryAt: Date | null): Promise<boolean> {
    const rows = await rowsOf<{ id: string }>(
      this.dataSource.manager,
      `UPDATE stripe_event_dispatch
          SET status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'failed' END,
              last_error = $3, next_retry_at = $4::timestamptz,
              lease_token = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND lease_token = $2 AND status = 'in_progress'
        RETURNING id`,
      [id, token, error.slice(0, MAX_ERROR_CHARS), nextRetryAt],
    );
    return rows.length > 0;
  }

  /** A duplicate delivery of an unfinished event: failed/dead rows become due at once. */
  async resume(eventId: string): Promise<number> {
    const rows = await rowsOf<{ id: string }>(
      this.dataSource.manager,
      `UPDATE stripe_event_dispatch
          SET status = 'pending', next_retry_at = NULL, updated_at = now()
        WHERE stripe_event_id = $1 AND status IN ('failed', 'dead')
        RETURNING id`,
      [eventId],
    );
    return rows.length;
  }

  /** Newest first, optionally filtered by status and handler (CLI `list`). */
  async list(
    filter: { status?: DispatchStatus; handler?: string },
    limit: number,
    offset: number,
  ): Promise<DispatchListing[]> {
    const params: unknown[] = [limit, offset];
    const where: string[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`d.status = $${params.length}`);
    }
    if (filter.handler) {
      params.push(filter.handler);
      where.push(`d.handler = $${params.length}`);
    }
    const rows = await rowsOf<
      RawDispatch & { evt_id: string; event_type: string; tenant_hint: string | null }
    >(
      this.dataSource.manager,
      `SELECT ${COLUMNS}, e.stripe_event_id AS evt_id, e.event_type, e.tenant_hint
         FROM stripe_event_dispatch d JOIN stripe_events e ON e.id = d.stripe_event_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY d.created_at DESC, d.id
        LIMIT $1 OFFSET $2`,
      params,
    );
    return rows.map((row) => ({
      ...toRow(row),
      stripeEventId: row.evt_id,
      eventType: row.event_type,
      tenantHint: row.tenant_hint,
    }));
  }

  async countByStatus(status: DispatchStatus): Promise<number> {
    const rows: { count: string }[] = await this.dataSource.query(
      'SELECT COUNT(*)::bigint AS count FROM stripe_event_dispatch WHERE status = $1',
      [status],
    );
    return Number(rows[0]?.count ?? 0);
  }
}

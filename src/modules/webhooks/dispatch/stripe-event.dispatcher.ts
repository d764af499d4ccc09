import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { asObject, labelValue, type PublishSource } from '../../billing';
import type { StripeEventEntity } from '../entities/stripe-event.entity';
import { DispatchRepository, type DispatchRow } from '../events/dispatch.repository';
import { StripeEventRepository, type StreamOutbox } from '../events/stripe-event.repository';
import { HandlerRegistry } from '../handlers/handler-registry';
import { WebhooksMetrics } from '../webhooks.metrics';
import {
  PermanentDispatchError,
  type HandlerOutcome,
  type HandlerResult,
  type StripeEventContext,
} from './event-handler';
import { retryDelaySeconds } from './retry-policy';
import { StreamRelay } from './stream-relay.service';

/** Who runs a dispatch: the intake right after storing, the retry worker, or an operator. */
export type DispatchSource = 'webhook' | 'retry' | 'replay';

export interface DispatchResult {
  dispatchId: string;
  handler: string;
  /** `lost`: another worker took the row over (our lease lapsed); it settles the row. */
  status: 'completed' | 'failed' | 'dead' | 'lost';
  outcome: HandlerOutcome | null;
  processedAt: Date | null;
  error: string | null;
}

class LeaseLost extends Error {}

const DRAIN_TIMEOUT_MS = 10_000;
const IMMEDIATE_CONCURRENCY = 8;
const IMMEDIATE_QUEUE_LIMIT = 10_000;

export function toEventContext(
  event: Pick<
    StripeEventEntity,
    'id' | 'stripeEventId' | 'eventType' | 'payload' | 'tenantHint' | 'stripeCreatedAt'
  >,
): StripeEventContext {
  const data = asObject(event.payload.data);
  return {
    rowId: event.id,
    stripeEventId: event.stripeEventId,
    type: event.eventType,
    created: event.stripeCreatedAt,
    object: asObject(data?.object) ?? {},
    previousAttributes: asObject(data?.previous_attributes),
    tenantHint: event.tenantHint,
  };
}

/**
 * Runs claimed dispatch rows (decisions B2/P12): the handler's writes, the row's completion (fenced
 * by its lease) and the event's processed outcome with its stream payload commit in one
 * transaction; the payload is then published. A failure schedules the reference backoff, or `dead`
 * once BILLING_RETRY_MAX_ATTEMPTS is reached or the error is permanent. Every processed event
 * (live, retried or replayed) reaches the billing stream.
 */
@Injectable()
export class StripeEventDispatcher implements BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly queue: string[] = [];
  private active = 0;
  private draining = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly events: StripeEventRepository,
    private readonly dispatches: DispatchRepository,
    private readonly registry: HandlerRegistry,
    private readonly relay: StreamRelay,
    private readonly metrics: WebhooksMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.stripe_dispatcher');
  }

  /**
   * Dispatches a stored event right after the 2xx went out, without holding the response. At
   * most IMMEDIATE_CONCURRENCY run at once (a burst must not starve intake of connections); a
   * backlog beyond IMMEDIATE_QUEUE_LIMIT stays pending in the database for the retry worker.
   */
  dispatchSoon(eventRowId: string): void {
    if (this.draining || this.queue.length >= IMMEDIATE_QUEUE_LIMIT) return;
    this.queue.push(eventRowId);
    // After the current tick: the 2xx goes out before the dispatch competes for connections.
    setImmediate(() => this.pump());
  }

  private pump(): void {
    while (!this.draining && this.active < IMMEDIATE_CONCURRENCY && this.queue.length > 0) {
      const eventRowId = this.queue.shift() as string;
      this.active += 1;
      const task: Promise<unknown> = this.dispatchEvent(eventRowId)
        .catch((error: unknown) => {
          // The rows stay pending; the retry worker (any replica) picks them up.
          this.log.error({ err: error, event_row_id: eventRowId }, 'Immediate dispatch failed');
        })
        .finally(() => {
          this.active -= 1;
          this.inFlight.delete(task);
          this.pump();
        });
      this.inFlight.add(task);
    }
  }

  /** Claims and runs the event's pending rows (rows another worker holds are left to it). */
  async dispatchEvent(
    eventRowId: string,
    source: DispatchSource = 'webhook',
  ): Promise<DispatchResult[]> {
    const results: DispatchResult[] = [];
    for (const row of await this.dispatches.findByEvent(eventRowId)) {
      if (row.status !== 'pending' && row.status !== 'in_progress') continue;
      const claimed = await this.dispatches.claim(
        row.id,
        this.config.BILLING_DISPATCH_LEASE_SECONDS,
      );
      if (claimed) results.push(await this.run(claimed, source));
    }
    return results;
  }

  /** Runs one row this process has claimed (it holds the lease). */
  async run(row: DispatchRow, source: DispatchSource): Promise<DispatchResult> {
    const event = await this.events.findById(row.eventId);
    if (!event) {
      return this.failed(row, null, new PermanentDispatchError('Stripe event row not found'));
    }
    const context = toEventContext(event);
    try {
      return await this.complete(row, context, source);
    } catch (error) {
      if (error instanceof LeaseLost) return this.lost(row);
      return this.failed(row, context, error);
    }
  }

  /** Waits (bounded) for immediate dispatches in progress before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    // Queued events stay pending in the database: another replica's worker takes them.
    this.draining = true;
    this.queue.length = 0;
    if (this.inFlight.size === 0) return;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref()),
    ]);
  }

  private async complete(
    row: DispatchRow,
    event: StripeEventContext,
    source: DispatchSource,
  ): Promise<DispatchResult> {
    const handler = this.registry.forName(row.handler);
    const prepared = handler ? await handler.prepare(event) : null;
    const processedAt = new Date();
    const publishSource: PublishSource = source === 'webhook' ? 'webhook' : 'replay';
    let result: HandlerResult | undefined;
    let outbox: StreamOutbox | null = null;
    await this.dataSource.transaction(async (manager) => {
      // A handler retired since the event was stored: nothing to apply, as in the reference.
      result = handler
        ? await handler.apply(manager, event, prepared)
        : { outcome: 'ignored', tenantId: null, broadcast: { summary: null, status: null } };
      if (!(await this.dispatches.complete(row.id, row.leaseToken ?? '', manager))) {
        throw new LeaseLost();
      }
      outbox = this.relay.build(event, result, processedAt, publishSource);
      await this.events.markProcessed(
        event.rowId,
        { tenantHint: result.tenantId, stream: outbox, processedAt },
        manager,
      );
    });
    const outcome = result?.outcome ?? 'ignored';
    const eventType = labelValue(event.type);
    this.metrics.events.inc({ event_type: eventType, result: 'dispatched' });
    if (outcome === 'stale' || outcome === 'superseded') {
      this.metrics.events.inc({ event_type: eventType, result: outcome });
    }
    this.metrics.observeLag('processed', event.created);
    this.log.info(
      {
        stripe_event_id: event.stripeEventId,
        event_type: event.type,
        handler: row.handler,
        dispatch_id: row.id,
        outcome,
        source,
        attempts: row.attempts,
        tenant: result?.tenantId ?? null,
      },
      'Stripe event dispatch completed',
    );
    const stored: StreamOutbox | null = outbox;
    if (stored) {
      await this.relay.publish(
        event.rowId,
        { eventType: event.type, stripeEventId: event.stripeEventId },
        stored,
        publishSource,
      );
    }
    return {
      dispatchId: row.id,
      handler: row.handler,
      status: 'completed',
      outcome,
      processedAt,
      error: null,
    };
  }

  private async failed(
    row: DispatchRow,
    event: StripeEventContext | null,
    error: unknown,
  ): Promise<DispatchResult> {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentDispatchError;
    const dead = permanent || row.attempts >= this.config.BILLING_RETRY_MAX_ATTEMPTS;
    const delay = retryDelaySeconds(
      row.attempts,
      this.config.BILLING_RETRY_BASE_SECONDS,
      this.config.BILLING_RETRY_MAX_DELAY_SECONDS,
    );
    const nextRetryAt = dead ? null : new Date(Date.now() + delay * 1000);
    if (!(await this.dispatches.fail(row.id, row.leaseToken ?? '', message, nextRetryAt))) {
      return this.lost(row);
    }
    if (event) await this.events.markFailed(event.rowId, message, null);
    const eventType = labelValue(event?.type);
    this.metrics.events.inc({ event_type: eventType, result: 'dispatch_failed' });
    if (dead) {
      this.metrics.events.inc({ event_type: eventType, result: 'dead' });
      await this.refreshDeadLetters();
    }
    this.log[dead ? 'error' : 'warn'](
      {
        err: error,
        stripe_event_id: event?.stripeEventId,
        event_type: event?.type,
        handler: row.handler,
        dispatch_id: row.id,
        attempts: row.attempts,
        next_retry_at: nextRetryAt?.toISOString() ?? null,
        dead,
      },
      dead ? 'Stripe event dispatch is dead' : 'Stripe event dispatch failed; retry scheduled',
    );
    return {
      dispatchId: row.id,
      handler: row.handler,
      status: dead ? 'dead' : 'failed',
      outcome: null,
      processedAt: null,
      error: message,
    };
  }

  private lost(row: DispatchRow): DispatchResult {
    this.log.warn(
      { dispatch_id: row.id, handler: row.handler },
      'Dispatch lease lapsed before completion; the new holder settles it',
    );
    return {
      dispatchId: row.id,
      handler: row.handler,
      status: 'lost',
      outcome: null,
      processedAt: null,
      error: 'lease lost',
    };
  }

  async refreshDeadLetters(): Promise<void> {
    try {
      this.metrics.deadLetters.set(await this.dispatches.countByStatus('dead'));
    } catch (error) {
      this.log.debug({ err: error }, 'Dead-letter count unavailable');
    }
  }
}

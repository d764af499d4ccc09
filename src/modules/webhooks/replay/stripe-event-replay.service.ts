import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { StripeEventDispatcher, type DispatchResult } from '../dispatch/stripe-event.dispatcher';
import type { DispatchStatus } from '../entities/stripe-event-dispatch.entity';
import { DispatchRepository, type DispatchListing } from '../events/dispatch.repository';
import { StripeEventRepository } from '../events/stripe-event.repository';
import { HandlerRegistry } from '../handlers/handler-registry';

export interface ListQuery {
  /** Undefined = every status. */
  status?: DispatchStatus;
  /** Undefined = every handler (the replaced service could not list every handler at once). */
  handler?: string;
  limit: number;
  page: number;
}

export interface ReplaySelection {
  dispatchIds?: string[];
  eventIds?: string[];
  status?: DispatchStatus;
  handler?: string;
  limit?: number;
}

export interface ReplayTarget {
  dispatchId: string;
  handler: string;
  stripeEventId: string | null;
}

export interface SelectedTargets {
  targets: ReplayTarget[];
  warnings: string[];
}

export interface ReplayOutcome {
  target: ReplayTarget;
  ok: boolean;
  status: DispatchResult['status'] | 'busy' | 'missing';
  processedAt: Date | null;
  error: string | null;
}

/**
 * Operator tooling behind `stripe-events list|replay`: listings across handlers, targets by
 * dispatch id, by Stripe event id (the handler derived from the event type) or by status, and
 * replays that run exactly like live dispatch, including the billing-stream publish. A row another
 * worker holds under a live lease is not taken over.
 */
@Injectable()
export class StripeEventReplayService {
  constructor(
    private readonly config: AppConfig,
    private readonly dispatches: DispatchRepository,
    private readonly events: StripeEventRepository,
    private readonly registry: HandlerRegistry,
    private readonly dispatcher: StripeEventDispatcher,
  ) {}

  list(query: ListQuery): Promise<DispatchListing[]> {
    const offset = (Math.max(1, query.page) - 1) * query.limit;
    return this.dispatches.list(
      { status: query.status, handler: query.handler },
      query.limit,
      offset,
    );
  }

  /** Dispatch ids win over event ids, which win over status (reference precedence). */
  async select(selection: ReplaySelection): Promise<SelectedTargets> {
    const warnings: string[] = [];
    const targets: ReplayTarget[] = [];
    if (selection.dispatchIds?.length) {
      for (const id of selection.dispatchIds) {
        const row = await this.dispatches.findById(id);
        if (!row) {
          warnings.push(`Dispatch ${id} not found; skipped.`);
          continue;
        }
        targets.push({ dispatchId: row.id, handler: row.handler, stripeEventId: null });
      }
      return { targets, warnings };
    }
    if (selection.eventIds?.length) {
      for (const eventId of selection.eventIds) {
        const event = await this.events.findByStripeId(eventId);
        const handler = event ? this.registry.forType(event.eventType) : undefined;
        if (!event || !handler) {
          warnings.push(
            event
              ? `Event ${eventId} (${event.eventType}) has no handler; skipped.`
              : `Event ${eventId} not found; skipped.`,
          );
          continue;
        }
        const row = await this.dispatches.getOrCreate(event.id, handler.name);
        targets.push({ dispatchId: row.id, handler: row.handler, stripeEventId: eventId });
      }
      return { targets, warnings };
    }
    if (selection.status) {
      const rows = await this.dispatches.list(
        { status: selection.status, handler: selection.handler },
        selection.limit ?? 5,
        0,
      );
      return {
        targets: rows.map((row) => ({
          dispatchId: row.id,
          handler: row.handler,
          stripeEventId: row.stripeEventId,
        })),
        warnings,
      };
    }
    throw new Error('Provide --dispatch-id, --event-id, or --status for replay.');
  }

  /** Replays one dispatch row now, whatever its status (unless it is being run elsewhere). */
  async replay(target: ReplayTarget): Promise<ReplayOutcome> {
    const existing = await this.dispatches.findById(target.dispatchId);
    if (!existing) {
      return {
        target,
        ok: false,
        status: 'missing',
        processedAt: null,
        error: 'Dispatch not found',
      };
    }
    const claimed = await this.dispatches.claim(
      target.dispatchId,
      this.config.BILLING_DISPATCH_LEASE_SECONDS,
      true,
    );
    if (!claimed) {
      return {
        target,
        ok: false,
        status: 'busy',
        processedAt: null,
        error: 'Dispatch is in progress on another worker',
      };
    }
    const result = await this.dispatcher.run(claimed, 'replay');
    return {
      target,
      ok: result.status === 'completed',
      status: result.status,
      processedAt: result.processedAt,
      error: result.error,
    };
  }
}

import type { EntityManager } from 'typeorm';
import type {
  InvoiceStreamView,
  JsonObject,
  SubscriptionStreamView,
  UsageStreamView,
} from '../../billing';

/** The stored event as handlers see it. */
export interface StripeEventContext {
  /** `stripe_events.id`. */
  rowId: string;
  stripeEventId: string;
  type: string;
  created: Date | null;
  /** `data.object`. */
  object: JsonObject;
  previousAttributes: JsonObject | null;
  tenantHint: string | null;
}

/** What a processed event shows on the billing stream. */
export interface Broadcast {
  summary: string | null;
  status: string | null;
  subscription?: SubscriptionStreamView | null;
  invoice?: InvoiceStreamView | null;
  usage?: UsageStreamView[];
}

/**
 * - `applied`: state changed; broadcast.
 * - `stale` / `superseded`: older than (or about another subscription than) the state we hold:
 *   nothing written, nothing broadcast.
 * - `ignored`: nothing of ours is concerned (e.g. a deleted customer of no tenant).
 */
export type HandlerOutcome = 'applied' | 'stale' | 'superseded' | 'ignored';

export interface HandlerResult {
  outcome: HandlerOutcome;
  tenantId: string | null;
  broadcast: Broadcast | null;
}

/**
 * A dispatch handler in two phases: `prepare` may read and call Stripe (outside any
 * transaction); `apply` writes with the dispatcher's transaction, which also completes the
 * dispatch row, so state and bookkeeping commit together or not at all.
 */
export interface StripeEventHandler<P = unknown> {
  /** Stored in `stripe_event_dispatch.handler`. */
  readonly name: string;
  readonly eventTypes: readonly string[];
  prepare(event: StripeEventContext): Promise<P>;
  apply(manager: EntityManager, event: StripeEventContext, prepared: P): Promise<HandlerResult>;
}

/** An error that retrying cannot fix (malformed event): the dispatch goes `dead` at once. */
export class PermanentDispatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDispatchError';
  }
}

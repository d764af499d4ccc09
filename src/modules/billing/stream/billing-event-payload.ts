import { pythonJson } from '../../../platform/sse/python-json';
import { isoOffset } from '../../../platform/time/iso';
import type { SubscriptionStreamView } from '../subscriptions/subscription-view';

/** The `invoice` object of a billing stream payload. */
export interface InvoiceStreamView {
  invoice_id: string;
  status: string;
  amount_due_cents: number;
  currency: string;
  billing_reason: string | null;
  hosted_invoice_url: string | null;
  collection_method: string | null;
  period_start: string | null;
  period_end: string | null;
}

/** One `usage[]` delta of a billing stream payload. */
export interface UsageStreamView {
  feature_key: string;
  quantity: number;
  period_start: string | null;
  period_end: string | null;
  amount_cents: number | null;
}

export interface BillingEventInput {
  tenantId: string;
  eventType: string;
  stripeEventId: string;
  occurredAt: Date;
  summary: string | null;
  status: string;
  subscription?: SubscriptionStreamView | null;
  invoice?: InvoiceStreamView | null;
  usage?: UsageStreamView[];
}

/**
 * The reference `BillingEventPayload` as one line of Python-style JSON, keys in reference order.
 * `event_id` is appended when an entry is sent (it is the stream id, known only once Redis stored
 * the entry; decision B3).
 */
export function serializeBillingEvent(input: BillingEventInput): string {
  return pythonJson({
    tenant_id: input.tenantId,
    event_type: input.eventType,
    stripe_event_id: input.stripeEventId,
    occurred_at: isoOffset(input.occurredAt),
    summary: input.summary,
    status: input.status,
    subscription: input.subscription ?? null,
    invoice: input.invoice ?? null,
    usage: input.usage ?? [],
  });
}

/** The stored payload with `event_id` (decision B3) as its last key. */
export function withEventId(payload: string, eventId: string): string {
  const trimmed = payload.trimEnd();
  if (!trimmed.endsWith('}')) return payload;
  const body = trimmed.slice(0, -1);
  const separator = body.trimEnd().endsWith('{') ? '' : ', ';
  return `${body}${separator}"event_id": ${pythonJson(eventId)}}`;
}

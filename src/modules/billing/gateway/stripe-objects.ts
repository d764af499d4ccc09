/**
 * Typed reads of Stripe objects that arrive as untyped JSON (webhook payloads) or as SDK objects
 * of any API version. Field locations moved between versions (periods went from the
 * subscription to its items in 2025-03-31.basil; invoice subscription details moved under
 * `parent`), so every reader tries the current place first and the older one second.
 */
export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : null;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function asInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : null;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Epoch seconds to a Date (null when absent or not a number). */
export function epochToDate(value: unknown): Date | null {
  const seconds = asInt(value);
  return seconds === null ? null : new Date(seconds * 1000);
}

/** An expandable reference: `"cus_123"` or `{ id: "cus_123", ... }`. */
export function refId(value: unknown): string | null {
  return asString(value) ?? asString(asObject(value)?.id);
}

/** String-valued metadata only (Stripe metadata values are strings). */
export function metadataOf(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asObject(value) ?? {})) {
    if (typeof entry === 'string') result[key] = entry;
  }
  return result;
}

/** Tenant named by metadata (`tenant_id`, then the reference's `tenant`). */
export function tenantFromMetadata(metadata: Record<string, string>): string | null {
  return asString(metadata.tenant_id) ?? asString(metadata.tenant);
}

export interface StripeSubscriptionState {
  id: string;
  customerId: string | null;
  status: string;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  canceledAt: Date | null;
  startDate: Date | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  /** First ("primary") item. */
  itemId: string | null;
  quantity: number | null;
  priceId: string | null;
  price: JsonObject | null;
  metadata: Record<string, string>;
}

/** Reads a Stripe Subscription (SDK object or webhook JSON) of any API version. */
export function readStripeSubscription(value: unknown): StripeSubscriptionState | null {
  const sub = asObject(value);
  const id = asString(sub?.id);
  if (!sub || !id) return null;
  const item = asObject(asArray(asObject(sub.items)?.data)[0]);
  const price = asObject(item?.price) ?? asObject(item?.plan);
  return {
    id,
    customerId: refId(sub.customer) ?? asString(metadataOf(sub.metadata).customer_id),
    status: asString(sub.status) ?? 'unknown',
    cancelAtPeriodEnd: sub.cancel_at_period_end === true,
    cancelAt: epochToDate(sub.cancel_at),
    canceledAt: epochToDate(sub.canceled_at),
    startDate: epochToDate(sub.start_date),
    currentPeriodStart: epochToDate(item?.current_period_start ?? sub.current_period_start),
    currentPeriodEnd: epochToDate(item?.current_period_end ?? sub.current_period_end),
    trialEnd: epochToDate(sub.trial_end),
    itemId: asString(item?.id),
    quantity: asInt(item?.quantity) ?? asInt(sub.quantity),
    priceId: refId(item?.price) ?? refId(item?.plan),
    price,
    metadata: metadataOf(sub.metadata),
  };
}

/** Stripe statuses after which a subscription never bills again. */
export const TERMINAL_STATUSES: readonly string[] = ['canceled', 'incomplete_expired'];

export function isTerminalStatus(status: string): boolean {
  return TERMINAL_STATUSES.includes(status);
}

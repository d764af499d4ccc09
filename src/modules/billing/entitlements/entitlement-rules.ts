/** Subscription statuses that grant the plan's entitlements outright. */
const GRANTING = new Set(['trialing', 'active']);
const DAY_MS = 86_400_000;

/** What decides a tenant's entitlements (read from its subscription and plan). */
export interface EntitlementInputs {
  subscription: {
    status: string;
    planCode: string;
    featureToggles: Record<string, unknown> | null;
    /** `plan_features.hard_limit` by feature key (null: unlimited). */
    limits: Record<string, number | null>;
    seatCount: number | null;
    currentPeriodStart: Date | null;
    currentPeriodEnd: Date | null;
  } | null;
  chatFeatureKey: string;
  freeTier: { chatTokens: number; features: readonly string[] };
  pastDueGraceDays: number;
  now: Date;
}

export interface Entitlements {
  /** `plan` while a subscription grants it, else `free_tier`. */
  source: 'plan' | 'free_tier';
  planCode: string | null;
  subscriptionStatus: string | null;
  /** Until when a past_due subscription keeps its plan (null otherwise). */
  graceEndsAt: Date | null;
  features: Record<string, boolean>;
  limits: {
    /** Chat tokens per period; null is unlimited. */
    chatTokens: number | null;
    seats: number | null;
  };
  chatFeatureKey: string;
  period: { start: Date; end: Date };
}

/** The calendar month (UTC) around `now`: the free tier's period. */
export function calendarMonth(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

function toggles(values: Record<string, unknown> | null): Record<string, boolean> {
  const features: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (typeof value === 'boolean') features[key] = value;
  }
  return features;
}

/**
 * Whether the subscription grants its plan now: trialing and active do; past_due does for
 * the grace days after its current period began (the renewal whose payment failed), so a card
 * problem does not cut a team off at once; anything else (canceled, unpaid, incomplete) does
 * not. Returns the grace end for past_due.
 */
function grants(
  subscription: NonNullable<EntitlementInputs['subscription']>,
  graceDays: number,
  now: Date,
): { granted: boolean; graceEndsAt: Date | null } {
  if (GRANTING.has(subscription.status)) return { granted: true, graceEndsAt: null };
  if (subscription.status !== 'past_due') return { granted: false, graceEndsAt: null };
  const since = subscription.currentPeriodStart ?? now;
  const graceEndsAt = new Date(since.getTime() + graceDays * DAY_MS);
  return { granted: now < graceEndsAt, graceEndsAt };
}

/**
 * The one place that answers "what may this tenant do now" (docs/billing-entitlements.md):
 * the plan's feature toggles, its chat-token limit (`plan_features.hard_limit` of the chat
 * usage feature) and seat count over the subscription's current period while the subscription
 * grants them, otherwise the free tier from config over the calendar month.
 */
export function deriveEntitlements(inputs: EntitlementInputs): Entitlements {
  const { subscription, now } = inputs;
  const granted = subscription
    ? grants(subscription, inputs.pastDueGraceDays, now)
    : { granted: false, graceEndsAt: null };
  if (subscription && granted.granted) {
    const period =
      subscription.currentPeriodStart &&
      subscription.currentPeriodEnd &&
      subscription.currentPeriodEnd > now
        ? { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd }
        : calendarMonth(now);
    return {
      source: 'plan',
      planCode: subscription.planCode,
      subscriptionStatus: subscription.status,
      graceEndsAt: granted.graceEndsAt,
      features: toggles(subscription.featureToggles),
      limits: {
        chatTokens: subscription.limits[inputs.chatFeatureKey] ?? null,
        seats: subscription.seatCount,
      },
      chatFeatureKey: inputs.chatFeatureKey,
      period,
    };
  }
  return {
    source: 'free_tier',
    planCode: null,
    subscriptionStatus: subscription?.status ?? null,
    graceEndsAt: granted.graceEndsAt,
    features: Object.fromEntries(inputs.freeTier.features.map((name) => [name, true])),
    limits: { chatTokens: inputs.freeTier.chatTokens, seats: null },
    chatFeatureKey: inputs.chatFeatureKey,
    period: calendarMonth(now),
  };
}

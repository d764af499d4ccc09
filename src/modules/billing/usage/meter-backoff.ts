/** First retry delay of a failed meter event; doubles per attempt. */
export const METER_RETRY_BASE_SECONDS = 10;
/** Largest retry delay of a failed meter event. */
export const METER_RETRY_MAX_DELAY_SECONDS = 3600;
/** Stripe accepts meter events up to 35 days old; an older event is never sendable. */
export const METER_EVENT_MAX_AGE_SECONDS = 35 * 24 * 3600;

export interface MeterRetryPolicy {
  maxAttempts: number;
  baseSeconds?: number;
  maxDelaySeconds?: number;
}

/** What becomes of a usage event after a failed attempt. */
export type MeterFailureOutcome =
  | { state: 'pending'; attempts: number; delaySeconds: number }
  | { state: 'dead'; attempts: number };

/**
 * The state after a failed attempt: `attempts` is the number of attempts made before this one.
 * Retries wait `base * 2^(n-1)` seconds, capped, with "equal jitter" (a random half of the delay
 * on top of the other half), so replicas retrying after one Stripe outage spread out. The attempt
 * that reaches `maxAttempts` makes the event `dead`.
 */
export function afterMeterFailure(
  attempts: number,
  policy: MeterRetryPolicy,
  random: () => number = Math.random,
): MeterFailureOutcome {
  const made = attempts + 1;
  if (made >= policy.maxAttempts) return { state: 'dead', attempts: made };
  const base = policy.baseSeconds ?? METER_RETRY_BASE_SECONDS;
  const cap = policy.maxDelaySeconds ?? METER_RETRY_MAX_DELAY_SECONDS;
  const delay = Math.min(cap, base * 2 ** Math.min(made - 1, 30));
  const jittered = delay / 2 + (delay / 2) * Math.min(Math.max(random(), 0), 1);
  return { state: 'pending', attempts: made, delaySeconds: jittered };
}

/** True when Stripe would refuse the event's timestamp as too old (35 days, minus a margin). */
export function tooOldToMeter(occurredAt: Date, now: Date = new Date()): boolean {
  return now.getTime() - occurredAt.getTime() > (METER_EVENT_MAX_AGE_SECONDS - 3600) * 1000;
}

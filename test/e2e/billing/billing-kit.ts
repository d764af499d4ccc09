import { startStripeFake, type StripeFake } from '../../support/fakes';
import { readSse } from '../../support/sse-reader';

/** Plan code -> Stripe price id used by every billing test app. */
export const PRICE_MAP = { starter: 'price_starter', pro: 'price_pro' };
export const WEBHOOK_SECRET = 'whsec_test';

/** The Stripe fake with the two plan prices seeded. */
export function startBillingStripeFake(): Promise<StripeFake> {
  return startStripeFake({
    prices: [
      { id: PRICE_MAP.starter, unit_amount: 0, nickname: 'starter', product: 'prod_starter' },
      { id: PRICE_MAP.pro, unit_amount: 9900, nickname: 'pro', product: 'prod_pro' },
    ],
  });
}

/**
 * Env of a billing-enabled test app talking to the fake. Background workers are off unless a
 * test turns them on: every test app of a run shares one database.
 */
export function billingEnv(
  fake: StripeFake,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ENABLE_BILLING: 'true',
    ENABLE_BILLING_STREAM: 'true',
    ENABLE_BILLING_RETRY_WORKER: 'false',
    ENABLE_BILLING_STREAM_REPLAY: 'false',
    ENABLE_BILLING_METER_WORKER: 'false',
    STRIPE_SECRET_KEY: 'sk_test_x',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_PRODUCT_PRICE_MAP: JSON.stringify(PRICE_MAP),
    STRIPE_API_BASE_URL: fake.url,
    ...extra,
  };
}

/** Polls `probe` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** JSON body of a refused stream (error envelope). */
  errorBody: Record<string, unknown> | null;
  /** The `data` of each event received so far, parsed as JSON. */
  events: Record<string, unknown>[];
  /**
   * The complete frames received so far exactly as on the wire, without their blank-line
   * terminator (`data: {...}`, `: ping`): for assertions on the wire format, not for parsing.
   */
  readonly frames: string[];
  waitForEvents(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  /** Resolves when the body ended (the server closed the stream) or the client closed it. */
  ended: Promise<void>;
  close(): void;
}

/** Opens an SSE GET with fetch and collects events (test/support/sse-reader) until closed. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: Record<string, unknown>[] = [];
  let wire = '';
  const errorBody = response.ok
    ? null
    : ((await response.json().catch(() => null)) as Record<string, unknown> | null);
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body) {
    ended = readSse(response.body, {
      signal: controller.signal,
      onText: (text) => (wire += text),
      onEvent: (event) => events.push(JSON.parse(event.data) as Record<string, unknown>),
    }).then(
      () => undefined,
      () => undefined, // aborted
    );
  }
  return {
    status: response.status,
    headers: response.headers,
    errorBody,
    events,
    get frames() {
      return wire.split('\n\n').slice(0, -1);
    },
    waitForEvents: (count, timeoutMs = 10_000) =>
      waitFor(() => (events.length >= count ? events : null), timeoutMs, 20),
    ended,
    close: () => controller.abort(),
  };
}

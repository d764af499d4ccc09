import Stripe from 'stripe';
import type { AppConfig } from '../../../platform/config/app-config';

/** Injection token of the configured stripe-node client. */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');

/**
 * stripe-node with the pinned API version (decision B1) and, when STRIPE_API_BASE_URL is set,
 * host/port/protocol of stripe-mock or a local fake. The SDK's own retries are off and StripeApi
 * keeps its loop, after checking stripe-node 23's RequestSender: a retried attempt emits a
 * `request` event but no `response` event (so per-attempt `stripe_api_requests_total` samples
 * and warnings could not be fed), it never retries 429, and it ignores `Retry-After`. Every POST
 * carries our deterministic idempotency key, so StripeApi's retries are the same Stripe request.
 * (stripe-node still retries a closed keep-alive connection once on its own, with that key.)
 */
export function createStripeClient(config: AppConfig): Stripe {
  const base = config.STRIPE_API_BASE_URL ? new URL(config.STRIPE_API_BASE_URL) : undefined;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  // stripe-node refuses to construct without a key; the gateway answers `config_missing`
  // before any call when none is configured (the CLI runs without billing settings).
  return new Stripe(config.STRIPE_SECRET_KEY || 'sk_unconfigured', {
    apiVersion: config.STRIPE_API_VERSION as Stripe.LatestApiVersion,
    maxNetworkRetries: 0,
    timeout: Math.round(config.STRIPE_TIMEOUT_SECONDS * 1000),
    telemetry: false,
    appInfo: { name: config.APP_NAME, version: config.APP_VERSION },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (protocol === 'http' ? 80 : 443),
          protocol,
        }
      : {}),
  });
}

/** `sk_live_`/`rk_live_` keys act on live data; everything else is test mode. */
export function isLiveKey(key: string | undefined): boolean {
  return /^(sk|rk)_live_/.test(key ?? '');
}

import Stripe from 'stripe';
import type { AppConfig } from '../../../src/platform/config/app-config';
import { loadConfig } from '../../../src/platform/config/load-config';
import { billingProductionProblems } from '../../../src/modules/billing/billing-bootstrap.service';
import { retryDelaySeconds } from '../../../src/modules/webhooks/dispatch/retry-policy';
import { WebhookSignatureVerifier } from '../../../src/modules/webhooks/intake/webhook-signature.verifier';

describe('dispatch retry schedule (decision B2)', () => {
  it('doubles from 30 s and caps at 10 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 12].map((n) => retryDelaySeconds(n, 30, 600))).toEqual([
      30, 60, 120, 240, 480, 600, 600,
    ]);
    expect(retryDelaySeconds(1000, 30, 600)).toBe(600);
  });
});

describe('webhook signature verification, with secret rotation', () => {
  const stripe = new Stripe('sk_test_x');
  const payload = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' });
  const config = (secrets: Partial<AppConfig>) =>
    ({ STRIPE_WEBHOOK_TOLERANCE_SECONDS: 300, ...secrets }) as AppConfig;
  const sign = (secret: string, timestamp?: number) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

  it('accepts the current and the previous secret, nothing else', () => {
    const verifier = new WebhookSignatureVerifier(
      config({ STRIPE_WEBHOOK_SECRET: 'whsec_new', STRIPE_WEBHOOK_SECRET_PREVIOUS: 'whsec_old' }),
    );
    expect(() => verifier.verify(payload, sign('whsec_new'))).not.toThrow();
    expect(() => verifier.verify(payload, sign('whsec_old'))).not.toThrow();
    expect(() => verifier.verify(payload, sign('whsec_other'))).toThrow(/signature/i);
    expect(() => verifier.verify(`${payload} `, sign('whsec_new'))).toThrow();
  });

  it('rejects timestamps outside the tolerance', () => {
    const verifier = new WebhookSignatureVerifier(config({ STRIPE_WEBHOOK_SECRET: 'whsec_new' }));
    const old = Math.floor(Date.now() / 1000) - 301;
    expect(() => verifier.verify(payload, sign('whsec_new', old))).toThrow(/tolerance/);
  });

  it('reports no secret as unconfigured', () => {
    expect(new WebhookSignatureVerifier(config({})).configured).toBe(false);
  });
});

describe('billing production fail-fast', () => {
  const env = {
    ENVIRONMENT: 'production',
    ENABLE_BILLING: 'true',
    ENABLE_BILLING_STREAM: 'true',
    STRIPE_SECRET_KEY: 'sk_live_x',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    STRIPE_PRODUCT_PRICE_MAP: '{"starter":"price_1"}',
  };

  it('refuses billing on embedded Postgres or without a stream Redis in production', () => {
    const problems = billingProductionProblems(loadConfig(env, { readDotenvFiles: false }));
    expect(problems).toEqual([
      'ENABLE_BILLING requires DATABASE_URL (Postgres-backed billing storage)',
      'ENABLE_BILLING_STREAM requires BILLING_EVENTS_REDIS_URL or REDIS_URL',
    ]);
  });

  it('is satisfied by real storage, and silent outside production', () => {
    const production = loadConfig(
      { ...env, DATABASE_URL: 'postgresql://db/app', REDIS_URL: 'redis://cache:6379/0' },
      { readDotenvFiles: false },
    );
    expect(billingProductionProblems(production)).toEqual([]);
    expect(
      billingProductionProblems(
        loadConfig({ ...env, ENVIRONMENT: 'test' }, { readDotenvFiles: false }),
      ),
    ).toEqual([]);
  });
});

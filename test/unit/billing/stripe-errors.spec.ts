import Stripe from 'stripe';
import type { AppConfig } from '../../../src/platform/config/app-config';
import type { LoggerFactory } from '../../../src/platform/observability/logger.factory';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { BillingMetrics } from '../../../src/modules/billing/billing.metrics';
import {
  isRetryableStripeError,
  StripeApi,
  StripeCallFailure,
} from '../../../src/modules/billing/gateway/stripe-api.service';
import { toGatewayError } from '../../../src/modules/billing/gateway/stripe-gateway.service';
import { toProviderException } from '../../../src/modules/billing/gateway/provider-errors';
import { BillingException } from '../../../src/modules/billing/billing.errors';
import pino from 'pino';

const raw = (fields: Record<string, unknown>) =>
  fields as ConstructorParameters<typeof Stripe.errors.StripeError>[0];

describe('Stripe error classification', () => {
  it('retries connection errors, 409, 429 and 5xx; never idempotency or other 4xx', () => {
    expect(isRetryableStripeError(new Stripe.errors.StripeAPIError(raw({ statusCode: 500 })))).toBe(
      true,
    );
    expect(
      isRetryableStripeError(new Stripe.errors.StripeRateLimitError(raw({ statusCode: 429 }))),
    ).toBe(true);
    expect(
      isRetryableStripeError(new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 409 }))),
    ).toBe(true);
    expect(isRetryableStripeError(new Stripe.errors.StripeConnectionError(raw({})))).toBe(true);
    expect(
      isRetryableStripeError(new Stripe.errors.StripeIdempotencyError(raw({ statusCode: 400 }))),
    ).toBe(false);
    expect(
      isRetryableStripeError(new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 400 }))),
    ).toBe(false);
    expect(
      isRetryableStripeError(new Stripe.errors.StripeCardError(raw({ statusCode: 402 }))),
    ).toBe(false);
    expect(isRetryableStripeError(new Error('boom'))).toBe(false);
  });

  it('obeys Stripe-Should-Retry over the status rule', () => {
    const noRetry = new Stripe.errors.StripeAPIError(
      raw({ statusCode: 500, headers: { 'stripe-should-retry': 'false' } }),
    );
    const retry = new Stripe.errors.StripeInvalidRequestError(
      raw({ statusCode: 400, headers: { 'stripe-should-retry': 'true' } }),
    );
    expect(isRetryableStripeError(noRetry)).toBe(false);
    expect(isRetryableStripeError(retry)).toBe(true);
  });

  it('maps rejected requests to 400 and unavailable Stripe to 502 with the reference message', () => {
    const rejected = toGatewayError(
      'start_subscription',
      new StripeCallFailure(
        'subscription.create',
        new Stripe.errors.StripeInvalidRequestError(
          raw({
            statusCode: 400,
            code: 'resource_missing',
            message: 'No such price',
            param: 'items[0][price]',
          }),
        ),
        false,
      ),
    );
    expect(rejected).toMatchObject({
      kind: 'rejected',
      code: 'resource_missing',
      message: 'Stripe error during start_subscription: No such price',
      stripeParam: 'items[0][price]',
    });
    const unavailable = toGatewayError(
      'record_usage',
      new StripeCallFailure(
        'meter_event.create',
        new Stripe.errors.StripeAPIError(
          raw({ statusCode: 503, type: 'api_error', message: 'down' }),
        ),
        true,
      ),
    );
    expect(unavailable).toMatchObject({ kind: 'unavailable', code: 'api_error' });
    const auth = toGatewayError(
      'record_usage',
      new StripeCallFailure(
        'meter_event.create',
        new Stripe.errors.StripeAuthenticationError(raw({ statusCode: 401, message: 'bad key' })),
        false,
      ),
    );
    expect(auth.kind).toBe('unavailable');

    const http400 = toProviderException(rejected) as BillingException;
    const http502 = toProviderException(unavailable) as BillingException;
    expect([http400.getStatus(), http400.code]).toEqual([400, 'stripe_request_rejected']);
    expect([http502.getStatus(), http502.code]).toEqual([502, 'payment_provider_unavailable']);
    const other = new Error('not a gateway error');
    expect(toProviderException(other)).toBe(other);
  });
});

describe('StripeApi.call', () => {
  function api(retries: number): { api: StripeApi; metrics: MetricsService } {
    const metrics = new MetricsService({ defaultMetrics: false });
    const config = { STRIPE_MAX_NETWORK_RETRIES: retries } as AppConfig;
    const loggers = { get: () => pino({ level: 'silent' }) } as unknown as LoggerFactory;
    return { api: new StripeApi(config, loggers, new BillingMetrics(metrics)), metrics };
  }

  it('retries a retryable failure and records one sample per attempt', async () => {
    const { api: client, metrics } = api(1);
    const request = jest
      .fn()
      .mockRejectedValueOnce(
        new Stripe.errors.StripeAPIError(raw({ statusCode: 500, type: 'api_error' })),
      )
      .mockResolvedValueOnce({ id: 'cus_1' });
    await expect(client.call('customer.create', request)).resolves.toEqual({ id: 'cus_1' });
    expect(request).toHaveBeenCalledTimes(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'stripe_api_requests_total{operation="customer.create",result="api_error"} 1',
    );
    expect(text).toContain(
      'stripe_api_requests_total{operation="customer.create",result="success"} 1',
    );
  });

  it('gives up at once on a permanent error and after the last attempt on retryable ones', async () => {
    const { api: client } = api(1);
    const permanent = jest
      .fn()
      .mockRejectedValue(new Stripe.errors.StripeInvalidRequestError(raw({ statusCode: 400 })));
    await expect(client.call('subscription.create', permanent)).rejects.toBeInstanceOf(
      StripeCallFailure,
    );
    expect(permanent).toHaveBeenCalledTimes(1);
    const flaky = jest
      .fn()
      .mockRejectedValue(
        new Stripe.errors.StripeAPIError(
          raw({ statusCode: 502, headers: { 'retry-after': '0.01' } }),
        ),
      );
    const failure = await client.call('subscription.create', flaky).catch((e: unknown) => e);
    expect(failure).toMatchObject({ retryable: true });
    expect(flaky).toHaveBeenCalledTimes(2);
  });
});

import type { AppConfig } from '../../../src/platform/config/app-config';
import { PaymentGatewayError } from '../../../src/modules/billing/gateway/payment-gateway.error';
import {
  afterMeterFailure,
  METER_RETRY_BASE_SECONDS,
  METER_RETRY_MAX_DELAY_SECONDS,
  tooOldToMeter,
} from '../../../src/modules/billing/usage/meter-backoff';
import { chatTurnQuantity } from '../../../src/modules/billing/usage/chat-usage.recorder';
import {
  meterIdentifierOf,
  MeterOutboxWorker,
} from '../../../src/modules/billing/usage/meter-outbox.worker';
import type { ClaimedUsageEvent } from '../../../src/modules/billing/usage/usage-event.repository';

describe('meter event backoff', () => {
  const policy = { maxAttempts: 5 };

  it('doubles the delay per attempt, with at most half of it as jitter', () => {
    for (let attempts = 0; attempts < 4; attempts += 1) {
      const full = METER_RETRY_BASE_SECONDS * 2 ** attempts;
      const low = afterMeterFailure(attempts, policy, () => 0);
      const high = afterMeterFailure(attempts, policy, () => 1);
      expect(low).toEqual({ state: 'pending', attempts: attempts + 1, delaySeconds: full / 2 });
      expect(high).toEqual({ state: 'pending', attempts: attempts + 1, delaySeconds: full });
    }
  });

  it('caps the delay', () => {
    const outcome = afterMeterFailure(40, { maxAttempts: 100 }, () => 1);
    expect(outcome).toEqual({
      state: 'pending',
      attempts: 41,
      delaySeconds: METER_RETRY_MAX_DELAY_SECONDS,
    });
  });

  it('is dead on the attempt that reaches the maximum', () => {
    expect(afterMeterFailure(3, policy).state).toBe('pending');
    expect(afterMeterFailure(4, policy)).toEqual({ state: 'dead', attempts: 5 });
    expect(afterMeterFailure(0, { maxAttempts: 1 })).toEqual({ state: 'dead', attempts: 1 });
  });

  it('refuses events older than Stripe accepts', () => {
    const now = new Date('2026-12-07T00:00:00Z');
    expect(tooOldToMeter(new Date('2026-12-01T00:00:00Z'), now)).toBe(false);
    expect(tooOldToMeter(new Date('2026-10-31T00:00:00Z'), now)).toBe(true);
  });
});

describe('chat usage quantity', () => {
  it('is input + output tokens (reasoning already counted in output)', () => {
    expect(chatTurnQuantity({ inputTokens: 12, outputTokens: 30 })).toBe(42);
    expect(chatTurnQuantity({ inputTokens: -1, outputTokens: 0 })).toBe(0);
  });
});

describe('meter outbox state transitions', () => {
  function event(overrides: Partial<ClaimedUsageEvent> = {}): ClaimedUsageEvent {
    return {
      id: 'e1',
      tenantId: 'tenant-1',
      featureKey: 'chat_tokens',
      quantity: 42,
      occurredAt: new Date(),
      sourceType: 'chat_message',
      sourceId: '17',
      attempts: 0,
      lease: '2026-12-07 00:00:00.123456+00',
      ...overrides,
    };
  }

  function setup(customer: { processorCustomerId: string; deletedAt: Date | null } | null) {
    const events = {
      settle: jest.fn().mockResolvedValue(true),
      retryLater: jest.fn().mockResolvedValue(true),
    };
    const gateway = { recordUsage: jest.fn().mockResolvedValue({ duplicate: false }) };
    const counter = { inc: jest.fn() };
    const config = {
      BILLING_METER_POLL_SECONDS: 5,
      BILLING_METER_MAX_ATTEMPTS: 3,
      STRIPE_METER_EVENT_MAP: { chat_tokens: 'aa_chat_tokens' },
    } as unknown as AppConfig;
    const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const worker = new MeterOutboxWorker(
      config,
      events as never,
      { findByTenant: jest.fn().mockResolvedValue(customer) } as never,
      { findByTenant: jest.fn().mockResolvedValue({ processorSubscriptionId: 'sub_1' }) } as never,
      gateway as never,
      { events: counter, pending: { set: jest.fn() } } as never,
      { onDrain: jest.fn() } as never,
      { get: () => log } as never,
      { started: jest.fn(), polled: jest.fn() } as never,
    );
    return { worker, events, gateway, counter };
  }

  const live = { processorCustomerId: 'cus_1', deletedAt: null };

  it('sends one meter event per usage event and marks it sent', async () => {
    const t = setup(live);
    const row = event();
    await t.worker.send([row]);
    expect(t.gateway.recordUsage).toHaveBeenCalledWith({
      tenantId: 'tenant-1',
      subscriptionId: 'sub_1',
      customerId: 'cus_1',
      eventName: 'aa_chat_tokens',
      featureKey: 'chat_tokens',
      quantity: 42,
      timestamp: Math.floor(row.occurredAt.getTime() / 1000),
      identifier: meterIdentifierOf(row),
    });
    expect(t.events.settle).toHaveBeenCalledWith(row, 'sent');
    expect(t.counter.inc).toHaveBeenCalledWith({ result: 'sent' });
  });

  it('counts a duplicate identifier as sent', async () => {
    const t = setup(live);
    t.gateway.recordUsage.mockResolvedValue({ duplicate: true });
    await t.worker.send([event()]);
    expect(t.events.settle).toHaveBeenCalledWith(expect.anything(), 'sent');
  });

  it('skips tenants without a (live) Stripe customer', async () => {
    for (const customer of [null, { processorCustomerId: 'cus_x', deletedAt: new Date() }]) {
      const t = setup(customer);
      await t.worker.send([event()]);
      expect(t.gateway.recordUsage).not.toHaveBeenCalled();
      expect(t.events.settle).toHaveBeenCalledWith(
        expect.anything(),
        'skipped',
        expect.any(String),
      );
      expect(t.counter.inc).toHaveBeenCalledWith({ result: 'skipped' });
    }
  });

  it('retries a failure later, then marks it dead at the last attempt', async () => {
    const t = setup(live);
    t.gateway.recordUsage.mockRejectedValue(
      new PaymentGatewayError('record_usage', 'unavailable', 'api_error', 'Stripe down'),
    );
    await t.worker.send([event({ attempts: 0 })]);
    expect(t.events.retryLater).toHaveBeenCalledWith(
      expect.anything(),
      'api_error: Stripe down',
      expect.any(Number),
    );
    expect(t.counter.inc).toHaveBeenLastCalledWith({ result: 'failed' });
    await t.worker.send([event({ attempts: 2 })]);
    expect(t.events.settle).toHaveBeenCalledWith(
      expect.anything(),
      'dead',
      'api_error: Stripe down',
    );
    expect(t.counter.inc).toHaveBeenLastCalledWith({ result: 'dead' });
  });

  it('derives the identifier from tenant, feature and source', () => {
    const a = meterIdentifierOf(event());
    expect(a).toBe(meterIdentifierOf(event({ id: 'other', attempts: 4 })));
    expect(a).not.toBe(meterIdentifierOf(event({ sourceId: '18' })));
    expect(a).not.toBe(meterIdentifierOf(event({ tenantId: 'tenant-2' })));
    expect(a).toMatch(/^usage_[0-9a-f]{48}$/);
  });
});

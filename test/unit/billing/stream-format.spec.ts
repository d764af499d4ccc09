import {
  serializeBillingEvent,
  withEventId,
} from '../../../src/modules/billing/stream/billing-event-payload';
import { BillingStreamService } from '../../../src/modules/billing/stream/billing-stream.service';
import { compareStreamIds, isStreamId } from '../../../src/modules/billing/stream/stream-ids';

describe('billing stream payload (decision B3)', () => {
  const payload = serializeBillingEvent({
    tenantId: 't-1',
    eventType: 'invoice.paid',
    stripeEventId: 'evt_1',
    occurredAt: new Date('2025-11-07T10:00:00.000Z'),
    summary: 'Café invoice',
    status: 'paid',
    invoice: {
      invoice_id: 'in_1',
      status: 'paid',
      amount_due_cents: 100,
      currency: 'usd',
      billing_reason: null,
      hosted_invoice_url: null,
      collection_method: null,
      period_start: '2025-11-01T00:00:00+00:00',
      period_end: null,
    },
  });

  it('is one line of Python-style JSON in reference key order', () => {
    expect(payload).toBe(
      '{"tenant_id": "t-1", "event_type": "invoice.paid", "stripe_event_id": "evt_1", ' +
        '"occurred_at": "2025-11-07T10:00:00+00:00", "summary": "Caf\\u00e9 invoice", "status": "paid", ' +
        '"subscription": null, "invoice": {"invoice_id": "in_1", "status": "paid", "amount_due_cents": 100, ' +
        '"currency": "usd", "billing_reason": null, "hosted_invoice_url": null, "collection_method": null, ' +
        '"period_start": "2025-11-01T00:00:00+00:00", "period_end": null}, "usage": []}',
    );
  });

  it('gets event_id appended as its last key', () => {
    const sent = withEventId(payload, '1700000000000-3');
    expect(sent.endsWith(', "event_id": "1700000000000-3"}')).toBe(true);
    expect(JSON.parse(sent)).toMatchObject({ tenant_id: 't-1', event_id: '1700000000000-3' });
    expect(withEventId('{}', '1-0')).toBe('{"event_id": "1-0"}');
  });
});

describe('stream ids and resume points', () => {
  it('orders ids numerically, not as strings', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
    expect(compareStreamIds('11-0', '10-99')).toBeGreaterThan(0);
    expect(isStreamId('1700000000000-0')).toBe(true);
    expect(isStreamId('$')).toBe(false);
  });

  it('prefers the Last-Event-ID header, then the query, and ignores junk', () => {
    expect(BillingStreamService.resumePoint('5-1', '6-0')).toBe('5-1');
    expect(BillingStreamService.resumePoint(undefined, '6-0')).toBe('6-0');
    expect(BillingStreamService.resumePoint('nope', ['6-0'])).toBeNull();
    expect(BillingStreamService.resumePoint(' ', undefined)).toBeNull();
  });
});

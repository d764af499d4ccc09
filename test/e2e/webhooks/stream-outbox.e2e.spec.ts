import { serializeBillingEvent } from '../../../src/modules/billing';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  billingEnv,
  openSse,
  startBillingStripeFake,
  waitFor,
  type SseClient,
} from '../billing/billing-kit';
import { eventId, storedEvent } from './webhook-kit';

describe('billing stream outbox worker (decision B3)', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let peer: TestApp;
  const streams: SseClient[] = [];

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    const env = {
      ENABLE_BILLING_STREAM_REPLAY: 'true',
      BILLING_STREAM_OUTBOX_GRACE_SECONDS: '0.5',
      BILLING_RETRY_POLL_SECONDS: '0.1',
    };
    t = await startTestApp({ env: billingEnv(stripe, env) });
    peer = await startTestApp({
      env: billingEnv(stripe, { ...env, REDIS_KEY_PREFIX: t.redisKeyPrefix }),
    });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await peer.close();
    await t.close();
    await stripe.close();
  });

  it('publishes processed events whose live publish never happened, once, from any replica', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const sse = await openSse(`${t.url}/api/v1/billing/stream`, {
      Authorization: owner.authorization,
    });
    streams.push(sse);
    const ids = [eventId('outbox'), eventId('outbox')];
    for (const id of ids) {
      const payload = serializeBillingEvent({
        tenantId: owner.tenantId,
        eventType: 'invoice.paid',
        stripeEventId: id,
        occurredAt: new Date(),
        summary: 'Invoice paid',
        status: 'paid',
      });
      // Processed and committed, then the process died before publishing.
      await t.dataSource.query(
        `INSERT INTO stripe_events (stripe_event_id, event_type, payload, processing_outcome,
           processed_at, stream_tenant_id, stream_payload)
         VALUES ($1, 'invoice.paid', '{}'::jsonb, 'processed', now() - interval '5 seconds', $2, $3)`,
        [id, owner.tenantId, payload],
      );
    }
    const events = await sse.waitForEvents(2);
    expect(events.map((e) => e.stripe_event_id).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      await waitFor(async () => (await storedEvent(t, id))?.stream_published_at);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sse.events).toHaveLength(2);
    const metrics = [(await t.http.get('/metrics')).text, (await peer.http.get('/metrics')).text];
    expect(metrics.join('\n')).toMatch(
      /stripe_billing_stream_events_total\{[^}]*source="replay"[^}]*result="replayed"[^}]*\} [1-9]/,
    );
  });
});

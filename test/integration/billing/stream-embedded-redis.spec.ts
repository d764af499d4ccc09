import { BillingStreamPublisher, serializeBillingEvent } from '../../../src/modules/billing';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, openSse, startBillingStripeFake } from '../../e2e/billing/billing-kit';

describe('billing stream on the in-process Redis (development mode, P10)', () => {
  let stripe: StripeFake;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe, { REDIS_URL: undefined }) });
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('delivers history and live entries to several subscribers of one tenant', async () => {
    expect(t.redis.embedded).toBe(true);
    const owner = await createTestUser(t, { role: 'owner' });
    const publisher = t.app.get(BillingStreamPublisher);
    const publish = (n: number) =>
      publisher.publish(
        owner.tenantId,
        serializeBillingEvent({
          tenantId: owner.tenantId,
          eventType: 'invoice.paid',
          stripeEventId: `evt_embedded_${n}`,
          occurredAt: new Date(),
          summary: null,
          status: 'paid',
        }),
        { eventType: 'invoice.paid', stripeEventId: `evt_embedded_${n}`, source: 'webhook' },
      );
    const first = await publish(1);
    const headers = { Authorization: owner.authorization };
    const one = await openSse(`${t.url}/api/v1/billing/stream`, headers);
    const two = await openSse(`${t.url}/api/v1/billing/stream`, headers);
    try {
      await one.waitForEvents(1);
      await two.waitForEvents(1);
      const second = await publish(2);
      const third = await publish(3);
      for (const client of [one, two]) {
        await client.waitForEvents(3);
        expect(client.events.map((e) => e.event_id)).toEqual([first, second, third]);
      }
    } finally {
      one.close();
      two.close();
    }
  });
});

import { StripeEventReplayService } from '../../../src/modules/webhooks';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, openSse, startBillingStripeFake } from '../../e2e/billing/billing-kit';
import {
  dispatchesOf,
  event,
  postEvent,
  storedEvent,
  failingInvoice,
  startStarterSubscription,
} from '../../e2e/webhooks/webhook-kit';

describe('stripe-events replay service', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let replay: StripeEventReplayService;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe) });
    replay = t.app.get(StripeEventReplayService);
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('lists dispatch rows of every handler by status, newest first, with paging', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const first = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_x',
      subscription: 'sub_x',
    });
    const second = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_x',
      subscription: 'sub_x',
    });
    const failed = await replay.list({ status: 'failed', limit: 100, page: 1 });
    const ids = failed.map((row) => row.id);
    expect(ids.indexOf(second.row.id)).toBeLessThan(ids.indexOf(first.row.id));
    expect(failed.find((row) => row.id === first.row.id)).toMatchObject({
      handler: 'invoice_sync',
      status: 'failed',
      attempts: 1,
      stripeEventId: first.fixture.id,
      eventType: 'invoice.paid',
      tenantHint: owner.tenantId,
    });
    expect(
      await replay.list({ status: 'failed', handler: 'billing_sync', limit: 100, page: 1 }),
    ).not.toContainEqual(expect.objectContaining({ id: first.row.id }));
    const pageOne = await replay.list({ limit: 1, page: 1 });
    const pageTwo = await replay.list({ limit: 1, page: 2 });
    expect(pageOne).toHaveLength(1);
    expect(pageTwo).toHaveLength(1);
    expect(pageOne[0].id).not.toBe(pageTwo[0].id);
  });

  it('replays a failed row once the cause is fixed, and publishes it to the stream', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const { fixture, row } = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_x',
      subscription: 'sub_x',
    });
    const failure = await replay.replay({
      dispatchId: row.id,
      handler: row.handler,
      stripeEventId: null,
    });
    expect(failure).toMatchObject({ ok: false, status: 'failed' });
    expect(failure.error).toMatch(/has no subscription/);

    await startStarterSubscription(t, owner);
    const sse = await openSse(`${t.url}/api/v1/billing/stream`, {
      Authorization: owner.authorization,
    });
    try {
      const outcome = await replay.replay({
        dispatchId: row.id,
        handler: row.handler,
        stripeEventId: null,
      });
      expect(outcome).toMatchObject({ ok: true, status: 'completed' });
      expect(outcome.processedAt).toBeInstanceOf(Date);
      const [after] = await dispatchesOf(t, fixture.id);
      expect(after).toMatchObject({ status: 'completed', attempts: 3 });
      expect(await storedEvent(t, fixture.id)).toMatchObject({ processing_outcome: 'processed' });
      const frames = await sse.waitForEvents(1);
      expect(frames.some((f) => f.stripe_event_id === fixture.id && f.status === 'paid')).toBe(
        true,
      );
    } finally {
      sse.close();
    }
  });

  it('replays dead rows selected by status, and events by Stripe id with the handler from the type', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const { fixture, row } = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_x',
      subscription: 'sub_x',
    });
    await t.dataSource.query(
      `UPDATE stripe_event_dispatch SET status = 'dead', next_retry_at = NULL WHERE id = $1`,
      [row.id],
    );
    const selected = await replay.select({ status: 'dead', limit: 1000 });
    expect(selected.targets.map((target) => target.dispatchId)).toContain(row.id);

    const byEvent = await replay.select({ eventIds: [fixture.id, 'evt_missing'] });
    expect(byEvent.targets).toEqual([
      { dispatchId: row.id, handler: 'invoice_sync', stripeEventId: fixture.id },
    ]);
    expect(byEvent.warnings).toEqual(['Event evt_missing not found; skipped.']);

    await startStarterSubscription(t, owner);
    const outcome = await replay.replay(byEvent.targets[0]);
    expect(outcome).toMatchObject({ ok: true, status: 'completed' });
    expect((await dispatchesOf(t, fixture.id))[0].status).toBe('completed');
  });

  it('refuses a selection without targets and skips events without a handler', async () => {
    await expect(replay.select({})).rejects.toThrow(
      'Provide --dispatch-id, --event-id, or --status for replay.',
    );
    const fixture = event('charge.succeeded', { id: 'ch_x', object: 'charge', metadata: {} });
    await postEvent(t, fixture).expect(202);
    const selected = await replay.select({ eventIds: [fixture.id] });
    expect(selected.targets).toEqual([]);
    expect(selected.warnings).toEqual([
      `Event ${fixture.id} (charge.succeeded) has no handler; skipped.`,
    ]);
  });
});

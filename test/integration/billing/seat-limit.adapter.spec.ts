import { SeatLimitRegistry } from '../../../src/modules/auth';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, startBillingStripeFake } from '../../e2e/billing/billing-kit';

describe('seat limit from the tenant subscription (billing implements auth port)', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let seats: SeatLimitRegistry;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe) });
    seats = t.app.get(SeatLimitRegistry);
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  async function tenantWith(status: string | null, seatCount: number | null): Promise<string> {
    const owner = await createTestUser(t, { role: 'owner' });
    if (status !== null) {
      await t.dataSource.query(
        `INSERT INTO tenant_subscriptions (tenant_id, plan_id, status, starts_at, seat_count)
         SELECT $1, id, $2, now(), $3 FROM billing_plans WHERE code = 'pro'`,
        [owner.tenantId, status, seatCount],
      );
    }
    return owner.tenantId;
  }

  it.each(['trialing', 'active', 'past_due'])(
    'is the seat count of a %s subscription',
    async (status) => {
      expect(await seats.seatLimit(await tenantWith(status, 7))).toBe(7);
    },
  );

  it('is null for a canceled or expired subscription, none, or one without a seat count', async () => {
    expect(await seats.seatLimit(await tenantWith('canceled', 7))).toBeNull();
    expect(await seats.seatLimit(await tenantWith('incomplete_expired', 7))).toBeNull();
    expect(await seats.seatLimit(await tenantWith('unpaid', 7))).toBeNull();
    expect(await seats.seatLimit(await tenantWith(null, null))).toBeNull();
    expect(await seats.seatLimit(await tenantWith('active', null))).toBeNull();
  });

  it('follows a seat change at once (not cached)', async () => {
    const tenantId = await tenantWith('active', 2);
    expect(await seats.seatLimit(tenantId)).toBe(2);
    await t.dataSource.query(
      'UPDATE tenant_subscriptions SET seat_count = 4 WHERE tenant_id = $1',
      [tenantId],
    );
    expect(await seats.seatLimit(tenantId)).toBe(4);
  });
});

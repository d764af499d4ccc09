import type { EntityManager } from 'typeorm';
import { StripeCustomerRepository } from '../../../src/modules/billing/customers/stripe-customer.repository';
import type { BillingPlanEntity } from '../../../src/modules/billing/entities/billing-plan.entity';
import type { TenantSubscriptionEntity } from '../../../src/modules/billing/entities/tenant-subscription.entity';
import type { StripeSubscriptionState } from '../../../src/modules/billing/gateway/stripe-objects';
import { PlanRepository } from '../../../src/modules/billing/plans/plan.repository';
import { PlanService } from '../../../src/modules/billing/plans/plan.service';
import { SubscriptionRepository } from '../../../src/modules/billing/subscriptions/subscription.repository';
import {
  SubscriptionOrderingConflict,
  SubscriptionSyncService,
  type SubscriptionSyncInput,
} from '../../../src/modules/billing/sync/subscription-sync.service';
import { TenantResolver } from '../../../src/modules/billing/sync/tenant-resolver.service';
import { newTestService } from '../../support/service-test';

const TENANT_ID = '0a7e9c1d-2b3f-4a5c-8d6e-7f8091a2b3c4';
const MANAGER = { name: 'the transaction manager' } as unknown as EntityManager;
const at = (seconds: number) => new Date(seconds * 1000);

const PRO = { id: 'plan-pro', code: 'pro', seatIncluded: 5 } as BillingPlanEntity;
const TEAM = { id: 'plan-team', code: 'team', seatIncluded: 10 } as BillingPlanEntity;

const state = (fields: Partial<StripeSubscriptionState> = {}): StripeSubscriptionState => ({
  id: 'sub_1',
  customerId: 'cus_1',
  status: 'active',
  cancelAtPeriodEnd: false,
  cancelAt: null,
  canceledAt: null,
  startDate: at(1000),
  currentPeriodStart: at(2000),
  currentPeriodEnd: at(3000),
  trialEnd: null,
  itemId: 'si_1',
  quantity: 3,
  priceId: 'price_pro',
  price: null,
  metadata: {},
  ...fields,
});

const row = (fields: Partial<TenantSubscriptionEntity> = {}): TenantSubscriptionEntity =>
  ({
    tenantId: TENANT_ID,
    planId: PRO.id,
    status: 'active',
    autoRenew: true,
    billingEmail: 'billing@acme.test',
    processor: 'stripe',
    processorCustomerId: 'cus_1',
    processorSubscriptionId: 'sub_1',
    startsAt: at(500),
    seatCount: 2,
    metadataJson: { stripe_price_id: 'price_old', ours: 'kept' },
    processorStateAt: at(100),
    processorStateEventId: 'evt_applied',
    ...fields,
  }) as TenantSubscriptionEntity;

describe('SubscriptionSyncService: which Stripe snapshot wins', () => {
  const setup = (current: TenantSubscriptionEntity | null) => {
    const { sut, mocks } = newTestService(SubscriptionSyncService);
    const t = {
      sut,
      subscriptions: mocks.get(SubscriptionRepository),
      customers: mocks.get(StripeCustomerRepository),
      plans: mocks.get(PlanRepository),
      planService: mocks.get(PlanService),
    };
    t.subscriptions.findByTenant.mockResolvedValue(current);
    t.subscriptions.lockByTenant.mockResolvedValue(current);
    t.subscriptions.upsert.mockImplementation(async (write) => write as TenantSubscriptionEntity);
    t.planService.planForPrice.mockImplementation((price) =>
      price === 'price_pro' ? 'pro' : null,
    );
    t.plans.findByCode.mockImplementation(async (code) =>
      code === 'pro' ? PRO : code === 'team' ? TEAM : null,
    );
    return t;
  };
  type Setup = ReturnType<typeof setup>;
  const input = (fields: Partial<SubscriptionSyncInput> = {}): SubscriptionSyncInput => ({
    tenantId: TENANT_ID,
    state: state(),
    eventCreatedAt: at(200),
    eventId: 'evt_new',
    fetched: false,
    ...fields,
  });
  const written = (t: Setup) => t.subscriptions.upsert.mock.calls[0][0];

  it('applies a newer event of the same subscription, merged into the row', async () => {
    const t = setup(row());
    const result = await t.sut.apply(MANAGER, input());
    expect(result.outcome).toBe('applied');
    expect(t.subscriptions.lockByTenant).toHaveBeenCalledWith(TENANT_ID, MANAGER);
    expect(t.subscriptions.upsert).toHaveBeenCalledWith(
      {
        tenantId: TENANT_ID,
        planId: PRO.id,
        status: 'active',
        autoRenew: true,
        billingEmail: 'billing@acme.test',
        processor: 'stripe',
        processorCustomerId: 'cus_1',
        processorSubscriptionId: 'sub_1',
        startsAt: at(500),
        currentPeriodStart: at(2000),
        currentPeriodEnd: at(3000),
        trialEndsAt: null,
        cancelAt: null,
        seatCount: 3,
        metadataJson: {
          ours: 'kept',
          stripe_price_id: 'price_pro',
          stripe_subscription_item_id: 'si_1',
          stripe_status: 'active',
        },
        processorStateAt: at(200),
        processorStateEventId: 'evt_new',
      },
      MANAGER,
    );
    expect(result.row).toBe(await t.subscriptions.upsert.mock.results[0].value);
    expect(t.customers.linkIfAbsent).toHaveBeenCalledWith(TENANT_ID, 'cus_1', MANAGER);
  });

  it('ignores an event older than the state already applied (stale): nothing written', async () => {
    const t = setup(row({ processorStateAt: at(300) }));
    const result = await t.sut.apply(MANAGER, input({ eventCreatedAt: at(200) }));
    expect(result).toEqual({
      outcome: 'stale',
      row: expect.objectContaining({ tenantId: TENANT_ID }),
    });
    expect(t.subscriptions.upsert).not.toHaveBeenCalled();
    expect(t.plans.findByCode).not.toHaveBeenCalled();
    expect(t.customers.linkIfAbsent).not.toHaveBeenCalled();
  });

  it('applies an old event whose snapshot was just fetched, keeping the newer ordering time', async () => {
    const t = setup(row({ processorStateAt: at(300) }));
    const result = await t.sut.apply(MANAGER, input({ eventCreatedAt: at(200), fetched: true }));
    expect(result.outcome).toBe('applied');
    expect(written(t)).toMatchObject({
      processorStateAt: at(300),
      processorStateEventId: 'evt_new',
    });
  });

  it('refuses a same-second tie unless the snapshot was fetched; needsFetch says so first', async () => {
    const t = setup(row({ processorStateAt: at(200) }));
    const tie = input({ eventCreatedAt: at(200) });
    await expect(t.sut.needsFetch(tie)).resolves.toBe(true);
    expect(t.subscriptions.findByTenant).toHaveBeenCalledWith(TENANT_ID);
    await expect(t.sut.apply(MANAGER, tie)).rejects.toBeInstanceOf(SubscriptionOrderingConflict);
    expect(t.subscriptions.upsert).not.toHaveBeenCalled();

    await expect(t.sut.apply(MANAGER, { ...tie, fetched: true })).resolves.toMatchObject({
      outcome: 'applied',
    });
    // The redelivery of the event already applied is not a tie.
    await expect(t.sut.needsFetch({ ...tie, eventId: 'evt_applied' })).resolves.toBe(false);
  });

  it.each([
    ['a newer event', at(300), false],
    ['an older event', at(50), false],
    ['an event without a time', null, false],
  ])('needs no fetch for %s', async (_label, createdAt, expected) => {
    const t = setup(row({ processorStateAt: at(100) }));
    await expect(t.sut.needsFetch(input({ eventCreatedAt: createdAt }))).resolves.toBe(expected);
  });

  it("ignores an event about another subscription while the tenant's one is live (superseded)", async () => {
    const t = setup(row({ processorSubscriptionId: 'sub_live', status: 'past_due' }));
    const result = await t.sut.apply(
      MANAGER,
      input({ state: state({ id: 'sub_other' }), fetched: true, eventCreatedAt: at(9999) }),
    );
    expect(result.outcome).toBe('superseded');
    expect(t.subscriptions.upsert).not.toHaveBeenCalled();
  });

  it('lets a new live subscription replace a canceled one, starting fresh (no merged metadata)', async () => {
    const t = setup(row({ processorSubscriptionId: 'sub_old', status: 'canceled' }));
    const result = await t.sut.apply(
      MANAGER,
      input({ state: state({ id: 'sub_new', itemId: null }), eventCreatedAt: at(50) }),
    );
    expect(result.outcome).toBe('applied');
    expect(written(t)).toMatchObject({
      processorSubscriptionId: 'sub_new',
      // Our billing email survives; the old subscription's start, metadata and ordering do not.
      billingEmail: 'billing@acme.test',
      startsAt: at(1000),
      processorStateAt: at(50),
      processorStateEventId: 'evt_new',
    });
    expect(written(t).metadataJson).toEqual({
      stripe_price_id: 'price_pro',
      stripe_status: 'active',
    });
  });

  it('does not let a canceled subscription replace another canceled one', async () => {
    const t = setup(row({ processorSubscriptionId: 'sub_old', status: 'canceled' }));
    const result = await t.sut.apply(
      MANAGER,
      input({ state: state({ id: 'sub_new', status: 'incomplete_expired' }) }),
    );
    expect(result.outcome).toBe('superseded');
  });

  it('writes a first row from the snapshot alone', async () => {
    const t = setup(null);
    await t.sut.apply(
      MANAGER,
      input({
        state: state({
          quantity: null,
          startDate: null,
          cancelAtPeriodEnd: true,
          customerId: null,
        }),
        eventCreatedAt: null,
      }),
    );
    expect(written(t)).toMatchObject({
      billingEmail: null,
      autoRenew: false,
      processorCustomerId: null,
      startsAt: at(2000),
      seatCount: PRO.seatIncluded,
      processorStateAt: null,
      processorStateEventId: null,
    });
    expect(t.customers.linkIfAbsent).not.toHaveBeenCalled();
  });

  it('keeps the ordering of the row when the event carries no time', async () => {
    const t = setup(row());
    await t.sut.apply(MANAGER, input({ eventCreatedAt: null }));
    expect(written(t)).toMatchObject({
      processorStateAt: at(100),
      processorStateEventId: 'evt_applied',
    });
  });

  it('resolves the plan: price map first, then price and subscription metadata, then nickname', async () => {
    const t = setup(row());
    t.planService.planForPrice.mockReturnValue(null);
    t.plans.findByCode.mockImplementation(async (code) => (code === 'team' ? TEAM : null));
    await t.sut.apply(
      MANAGER,
      input({
        state: state({
          priceId: 'price_unmapped',
          price: { metadata: { plan_code: 'gone' }, nickname: 'team' },
          metadata: { plan: 'retired' },
        }),
      }),
    );
    expect(t.planService.planForPrice).toHaveBeenCalledWith('price_unmapped');
    expect(t.plans.findByCode.mock.calls).toEqual([
      ['gone', MANAGER],
      ['retired', MANAGER],
      ['team', MANAGER],
    ]);
    expect(written(t).planId).toBe(TEAM.id);
  });

  it('stops at the first candidate naming a plan (the price map beats stale metadata)', async () => {
    const t = setup(row());
    await t.sut.apply(MANAGER, input({ state: state({ metadata: { plan_code: 'team' } }) }));
    expect(t.plans.findByCode.mock.calls).toEqual([['pro', MANAGER]]);
    expect(written(t).planId).toBe(PRO.id);
  });

  it("falls back to the row's plan, and fails when there is none", async () => {
    const t = setup(row({ planId: TEAM.id }));
    t.planService.planForPrice.mockReturnValue(null);
    t.plans.findById.mockResolvedValue(TEAM);
    await t.sut.apply(MANAGER, input({ state: state({ priceId: null }) }));
    expect(t.plans.findById).toHaveBeenCalledWith(TEAM.id, MANAGER);
    expect(written(t).planId).toBe(TEAM.id);

    const none = setup(null);
    none.planService.planForPrice.mockReturnValue(null);
    await expect(
      none.sut.apply(MANAGER, input({ state: state({ priceId: null }) })),
    ).rejects.toThrow('Unable to determine plan_code for subscription sub_1.');
    expect(none.subscriptions.upsert).not.toHaveBeenCalled();
  });
});

describe('TenantResolver: which tenant a Stripe object belongs to', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(TenantResolver);
    return {
      sut,
      subscriptions: mocks.get(SubscriptionRepository),
      customers: mocks.get(StripeCustomerRepository),
    };
  };
  const OTHER = '9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a';

  it('takes a UUID from metadata first, lower-cased, without lookups', async () => {
    const t = setup();
    await expect(
      t.sut.resolve({ metadataTenant: ` ${TENANT_ID.toUpperCase()} `, subscriptionId: 'sub_1' }),
    ).resolves.toBe(TENANT_ID);
    expect(t.subscriptions.findByProcessorSubscriptionId).not.toHaveBeenCalled();
  });

  it('ignores non-UUID metadata and uses our subscription mapping next', async () => {
    const t = setup();
    t.subscriptions.findByProcessorSubscriptionId.mockResolvedValue({ tenantId: OTHER } as never);
    await expect(
      t.sut.resolve(
        { metadataTenant: 'acme', subscriptionId: 'sub_1', customerId: 'cus_1' },
        MANAGER,
      ),
    ).resolves.toBe(OTHER);
    expect(t.subscriptions.findByProcessorSubscriptionId).toHaveBeenCalledWith('sub_1', MANAGER);
    expect(t.customers.findByCustomerId).not.toHaveBeenCalled();
  });

  it('then the customer mapping, then a subscription row of that customer, else null', async () => {
    const t = setup();
    t.subscriptions.findByProcessorSubscriptionId.mockResolvedValue(null);
    t.customers.findByCustomerId.mockResolvedValueOnce({ tenantId: TENANT_ID } as never);
    await expect(t.sut.resolve({ subscriptionId: 'sub_x', customerId: 'cus_1' })).resolves.toBe(
      TENANT_ID,
    );
    expect(t.subscriptions.findByProcessorCustomerId).not.toHaveBeenCalled();

    t.customers.findByCustomerId.mockResolvedValue(null);
    t.subscriptions.findByProcessorCustomerId.mockResolvedValueOnce({ tenantId: OTHER } as never);
    await expect(t.sut.resolve({ customerId: 'cus_2' })).resolves.toBe(OTHER);
    expect(t.subscriptions.findByProcessorCustomerId).toHaveBeenCalledWith('cus_2', undefined);

    await expect(t.sut.resolve({ customerId: 'cus_3' })).resolves.toBeNull();
    await expect(t.sut.resolve({})).resolves.toBeNull();
  });
});

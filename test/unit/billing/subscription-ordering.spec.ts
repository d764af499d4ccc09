import type { TenantSubscriptionEntity } from '../../../src/modules/billing/entities/tenant-subscription.entity';
import type { StripeSubscriptionState } from '../../../src/modules/billing/gateway/stripe-objects';
import { syncOrdering } from '../../../src/modules/billing/sync/subscription-sync.service';

const state = (id: string, status = 'active') => ({ id, status }) as StripeSubscriptionState;
const row = (fields: Partial<TenantSubscriptionEntity>) => fields as TenantSubscriptionEntity;
const at = (seconds: number) => new Date(seconds * 1000);

describe('webhook ordering per subscription (decision B2)', () => {
  const base = { tenantId: 't', eventId: 'evt_new' };

  it('applies to a tenant without a row, or without ordering state', () => {
    expect(syncOrdering(null, { ...base, state: state('sub_1'), eventCreatedAt: at(10) })).toBe(
      'apply',
    );
    expect(
      syncOrdering(row({ processorSubscriptionId: 'sub_1', processorStateAt: null }), {
        ...base,
        state: state('sub_1'),
        eventCreatedAt: at(10),
      }),
    ).toBe('apply');
  });

  it('ignores older events and asks Stripe on a same-second tie', () => {
    const current = row({
      processorSubscriptionId: 'sub_1',
      processorStateAt: at(20),
      processorStateEventId: 'evt_applied',
      status: 'past_due',
    });
    const input = { ...base, state: state('sub_1') };
    expect(syncOrdering(current, { ...input, eventCreatedAt: at(10) })).toBe('stale');
    expect(syncOrdering(current, { ...input, eventCreatedAt: at(30) })).toBe('apply');
    expect(syncOrdering(current, { ...input, eventCreatedAt: at(20) })).toBe('tie');
    expect(
      syncOrdering(current, { ...input, eventId: 'evt_applied', eventCreatedAt: at(20) }),
    ).toBe('apply');
  });

  it('lets a new live subscription replace a canceled one, and nothing else', () => {
    const canceled = row({
      processorSubscriptionId: 'sub_old',
      status: 'canceled',
      processorStateAt: at(50),
    });
    const live = row({
      processorSubscriptionId: 'sub_old',
      status: 'active',
      processorStateAt: at(50),
    });
    const input = { ...base, eventCreatedAt: at(10) };
    expect(syncOrdering(canceled, { ...input, state: state('sub_new', 'active') })).toBe('apply');
    expect(syncOrdering(canceled, { ...input, state: state('sub_new', 'canceled') })).toBe(
      'superseded',
    );
    expect(syncOrdering(live, { ...input, state: state('sub_new', 'active') })).toBe('superseded');
  });
});

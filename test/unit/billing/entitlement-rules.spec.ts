import {
  calendarMonth,
  deriveEntitlements,
  type EntitlementInputs,
} from '../../../src/modules/billing/entitlements/entitlement-rules';

const NOW = new Date('2026-12-07T12:00:00Z');
const PERIOD_START = new Date('2026-12-01T00:00:00Z');
const PERIOD_END = new Date('2027-01-01T00:00:00Z');

function inputs(subscription: Partial<NonNullable<EntitlementInputs['subscription']>> | null) {
  return {
    subscription: subscription && {
      status: 'active',
      planCode: 'pro',
      featureToggles: { enable_web_search: true, beta: 'yes' },
      limits: { chat_tokens: 5000, other: null },
      seatCount: 5,
      currentPeriodStart: PERIOD_START,
      currentPeriodEnd: PERIOD_END,
      ...subscription,
    },
    chatFeatureKey: 'chat_tokens',
    freeTier: { chatTokens: 100, features: ['enable_web_search'] },
    pastDueGraceDays: 7,
    now: NOW,
  } satisfies EntitlementInputs;
}

describe('entitlement rules', () => {
  it.each(['active', 'trialing'])('%s: the plan, its period, toggles and limits', (status) => {
    expect(deriveEntitlements(inputs({ status }))).toEqual({
      source: 'plan',
      planCode: 'pro',
      subscriptionStatus: status,
      graceEndsAt: null,
      // Non-boolean toggles are not features.
      features: { enable_web_search: true },
      limits: { chatTokens: 5000, seats: 5 },
      chatFeatureKey: 'chat_tokens',
      period: { start: PERIOD_START, end: PERIOD_END },
    });
  });

  it('a plan without a row for the chat feature is unlimited', () => {
    expect(deriveEntitlements(inputs({ limits: {} })).limits.chatTokens).toBeNull();
  });

  it('past_due keeps the plan for the grace days after its period began, then falls to the free tier', () => {
    const within = deriveEntitlements(inputs({ status: 'past_due' }));
    expect(within).toMatchObject({
      source: 'plan',
      graceEndsAt: new Date('2026-12-08T00:00:00Z'),
    });
    const late = deriveEntitlements({
      ...inputs({ status: 'past_due' }),
      now: new Date('2026-12-09T00:00:00Z'),
    });
    expect(late).toMatchObject({
      source: 'free_tier',
      planCode: null,
      subscriptionStatus: 'past_due',
      graceEndsAt: new Date('2026-12-08T00:00:00Z'),
      limits: { chatTokens: 100, seats: null },
    });
  });

  it.each(['canceled', 'unpaid', 'incomplete', 'incomplete_expired'])(
    '%s: the free tier over the calendar month',
    (status) => {
      expect(deriveEntitlements(inputs({ status }))).toEqual({
        source: 'free_tier',
        planCode: null,
        subscriptionStatus: status,
        graceEndsAt: null,
        features: { enable_web_search: true },
        limits: { chatTokens: 100, seats: null },
        chatFeatureKey: 'chat_tokens',
        period: calendarMonth(NOW),
      });
    },
  );

  it('no subscription: the free tier', () => {
    expect(deriveEntitlements(inputs(null))).toMatchObject({
      source: 'free_tier',
      subscriptionStatus: null,
      period: { start: PERIOD_START, end: PERIOD_END },
    });
  });

  it('a plan whose stored period already ended counts over the calendar month', () => {
    const stale = deriveEntitlements(
      inputs({
        currentPeriodEnd: new Date('2026-12-01T00:00:00Z'),
        currentPeriodStart: new Date('2026-11-01T00:00:00Z'),
      }),
    );
    expect(stale.period).toEqual(calendarMonth(NOW));
  });

  it('calendar months roll over the year', () => {
    expect(calendarMonth(new Date('2026-12-31T23:59:59Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });
});

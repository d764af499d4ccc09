import {
  idempotencyKey,
  usageIdentifier,
} from '../../../src/modules/billing/gateway/idempotency-keys';

describe('Stripe idempotency keys (decision B1)', () => {
  it('is the same for the same logical request and differs with its parameters', () => {
    const a = idempotencyKey(['subscription', 'create', 'tenant-1', 0], {
      price: 'p',
      quantity: 1,
    });
    expect(a).toBe(
      idempotencyKey(['subscription', 'create', 'tenant-1', 0], { price: 'p', quantity: 1 }),
    );
    expect(a).toMatch(/^aa:subscription:create:tenant-1:0:[0-9a-f]{16}$/);
    expect(a).not.toBe(
      idempotencyKey(['subscription', 'create', 'tenant-1', 0], { price: 'p', quantity: 2 }),
    );
    expect(a).not.toBe(
      idempotencyKey(['subscription', 'create', 'tenant-1', 1], { price: 'p', quantity: 1 }),
    );
  });

  it('stays within Stripe key length', () => {
    expect(idempotencyKey(['x'.repeat(400)]).length).toBe(255);
  });

  it('scopes usage identifiers by tenant and feature within the meter identifier limit', () => {
    const id = usageIdentifier('tenant-a', 'messages', 'batch-1');
    expect(id).toBe(usageIdentifier('tenant-a', 'messages', 'batch-1'));
    expect(id).not.toBe(usageIdentifier('tenant-b', 'messages', 'batch-1'));
    expect(id).not.toBe(usageIdentifier('tenant-a', 'tokens', 'batch-1'));
    expect(usageIdentifier('t', 'f', 'k'.repeat(128)).length).toBeLessThanOrEqual(100);
  });
});

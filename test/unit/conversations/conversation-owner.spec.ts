import type { Principal } from '../../../src/modules/auth';
import {
  conversationOwnerOf,
  serviceAccountOwnerId,
} from '../../../src/modules/conversations/conversation-owner';

const TENANT = '8d2f6a4e-1c3b-4e5f-9a7b-0c1d2e3f4a5b';
const USER = '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b';

function principal(fields: Partial<Principal>): Principal {
  return {
    kind: 'user',
    subject: `user:${USER}`,
    userId: USER,
    account: null,
    tenantId: TENANT,
    roles: [],
    scopes: [],
    emailVerified: true,
    sessionId: null,
    tokenId: 'jti',
    payload: {},
    ...fields,
  };
}

describe('conversation owners (decision C12)', () => {
  it('is the user for a user token', () => {
    expect(conversationOwnerOf(principal({}))).toEqual({ tenantId: TENANT, userId: USER });
  });

  it('is a fixed name-based id per service account, never a random (v4) user id', () => {
    const owner = conversationOwnerOf(
      principal({
        kind: 'service_account',
        subject: 'service-account:synthetic-monitor',
        userId: null,
        account: 'synthetic-monitor',
      }),
    );
    expect(owner.tenantId).toBe(TENANT);
    expect(owner.userId).toBe(serviceAccountOwnerId('synthetic-monitor'));
    expect(owner.userId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(serviceAccountOwnerId('analytics-batch')).not.toBe(owner.userId);
    // Stored rows name it: the id must never change.
    expect(owner.userId).toBe('dbdd7c87-d061-528a-9967-07ba56d626db');
  });

  it('refuses a token without a well-formed tenant with 401', () => {
    for (const tenantId of [null, 'not-a-uuid']) {
      expect(() => conversationOwnerOf(principal({ tenantId }))).toThrow(
        expect.objectContaining({ code: 'tenant_context_missing' }),
      );
    }
    expect(() =>
      conversationOwnerOf(
        principal({
          kind: 'service_account',
          userId: null,
          account: 'support-console',
          tenantId: null,
        }),
      ),
    ).toThrow(expect.objectContaining({ status: 401 }));
  });
});

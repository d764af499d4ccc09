import { InvitationsService } from '../../../src/modules/auth/invitations/invitations.service';
import { SeatLimitRegistry } from '../../../src/modules/auth/users/seat-limit.port';
import { AuditLog } from '../../../src/modules/auth/audit/audit-log.service';
import type { Principal } from '../../../src/modules/auth/principal';
import { createTestUser, uniqueEmail, type TestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * Invitations on real Postgres under concurrency: seats are counted under a lock on the tenant,
 * so racing invitations never exceed the seat count; and account events land in every tenant of
 * the user.
 */
describe('invitation seats and account audit rows', () => {
  let t: TestApp;
  const limits = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp();
    // Billing is off in this app: the port is filled the way billing fills it, from a table of
    // seat counts per tenant.
    t.app.get(SeatLimitRegistry).register({
      seatLimit: (tenantId) => Promise.resolve(limits.get(tenantId) ?? null),
    });
  });

  afterAll(async () => {
    await t.close();
  });

  function actorOf(owner: TestUser) {
    const principal = {
      kind: 'user',
      subject: `user:${owner.userId}`,
      userId: owner.userId,
      account: null,
      tenantId: owner.tenantId,
      roles: ['owner'],
      scopes: ['members:manage'],
    } as unknown as Principal;
    return {
      principal,
      tenant: { tenantId: owner.tenantId, role: 'owner' as const, roles: ['owner'] },
      client: { ip: '198.51.100.7', userAgent: 'jest' },
    } as never;
  }

  it('racing invitations take at most the free seats', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    limits.set(owner.tenantId, 3);
    const service = t.app.get(InvitationsService);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        service.invite(actorOf(owner), { email: uniqueEmail('racer'), role: 'member' }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter(
      (r) =>
        r.status === 'rejected' && (r.reason as { code?: string }).code === 'seat_limit_reached',
    );
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(4);
    const rows = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM tenant_invitations
        WHERE tenant_id = $1 AND revoked_at IS NULL AND accepted_at IS NULL`,
      [owner.tenantId],
    );
    expect(rows[0].n).toBe(2);
  });

  it('re-inviting the same email replaces the pending invitation without taking a seat', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    limits.set(owner.tenantId, 2);
    const service = t.app.get(InvitationsService);
    const email = uniqueEmail('again');
    const first = await service.invite(actorOf(owner), { email, role: 'member' });
    const second = await service.invite(actorOf(owner), { email, role: 'viewer' });
    expect(second.id).not.toBe(first.id);
    const rows = await t.dataSource.query<{ id: string; revoked: boolean }[]>(
      `SELECT id, revoked_at IS NOT NULL AS revoked FROM tenant_invitations
        WHERE tenant_id = $1 ORDER BY created_at`,
      [owner.tenantId],
    );
    expect(rows).toEqual([
      { id: first.id, revoked: true },
      { id: second.id, revoked: false },
    ]);
  });

  it('records an account event once in each tenant of the user, or once without a tenant', async () => {
    const first = await createTestUser(t, { role: 'owner' });
    const second = await createTestUser(t, { role: 'owner' });
    await t.dataSource.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [first.userId, second.tenantId, 'member'],
    );
    const audit = t.app.get(AuditLog);
    await audit.recordForUserTenants(t.dataSource.manager, first.userId, {
      actor: null,
      action: 'user.disabled',
      target: { type: 'user', id: first.userId },
    });
    const rows = await t.dataSource.query<{ tenant_id: string }[]>(
      `SELECT tenant_id FROM audit_events WHERE target_id = $1 AND action = 'user.disabled'`,
      [first.userId],
    );
    expect(rows.map((r) => r.tenant_id).sort()).toEqual([first.tenantId, second.tenantId].sort());

    await t.dataSource.query('DELETE FROM tenant_user_memberships WHERE user_id = $1', [
      second.userId,
    ]);
    await audit.recordForUserTenants(t.dataSource.manager, second.userId, {
      actor: null,
      action: 'user.enabled',
      target: { type: 'user', id: second.userId },
    });
    const alone = await t.dataSource.query<{ tenant_id: string | null }[]>(
      `SELECT tenant_id FROM audit_events WHERE target_id = $1 AND action = 'user.enabled'`,
      [second.userId],
    );
    expect(alone).toEqual([{ tenant_id: null }]);
  });
});

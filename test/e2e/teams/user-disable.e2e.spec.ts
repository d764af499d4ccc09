import { randomUUID } from 'node:crypto';
import { createTestUser, signAccessToken, type TestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  createPasswordUser,
  FAST_AUTH_ENV,
  loginAs,
  type PasswordUser,
} from '../auth/auth-e2e-helpers';

/**
 * A tenant owner disables and re-enables a member's account over HTTP: the status, the revoked
 * sessions (access and refresh tokens stop at once), login refused, the audit trail, and the
 * limits (only single-tenant members, owners only, own tenant only, never oneself).
 */
describe('disabling a member`s account', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...FAST_AUTH_ENV, TRUSTED_PROXIES: '127.0.0.1' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const accessPath = (tenantId: string, userId: string, action: 'disable' | 'enable') =>
    `/api/v1/tenants/${tenantId}/members/${userId}/${action}`;

  const status = async (userId: string): Promise<string> =>
    (
      await t.dataSource.query<{ status: string }[]>('SELECT status FROM users WHERE id = $1', [
        userId,
      ])
    )[0].status;

  const auditRows = (userId: string) =>
    t.dataSource.query<
      {
        tenant_id: string;
        action: string;
        actor_user_id: string | null;
        target_id: string;
        request_id: string;
        details: Record<string, unknown>;
      }[]
    >(
      `SELECT tenant_id, action, actor_user_id, target_id, request_id, details FROM audit_events
        WHERE target_id = $1 AND action IN ('user.disabled', 'user.enabled') ORDER BY occurred_at`,
      [userId],
    );

  /** An owner (fixture session) and a member with a real password, logged in for real. */
  async function team(): Promise<{
    owner: TestUser;
    member: PasswordUser;
    login: { access_token: string; refresh_token: string; session_id: string };
  }> {
    const owner = await createTestUser(t, { role: 'owner' });
    const member = await createPasswordUser(t, { role: 'member', tenantId: owner.tenantId });
    const login = await loginAs(t, {
      email: member.email,
      password: member.password,
      tenant_id: owner.tenantId,
    }).expect(200);
    return { owner, member, login: login.body };
  }

  it('disables at once (tokens, refresh, login) with an audit event; enable lets the member back', async () => {
    const { owner, member, login } = await team();
    const bearer = `Bearer ${login.access_token}`;
    await t.http.get('/api/v1/auth/me').set('Authorization', bearer).expect(200);

    const disabled = await t.http
      .post(accessPath(owner.tenantId, member.userId, 'disable'))
      .set('Authorization', owner.authorization)
      .expect(204);
    expect(await status(member.userId)).toBe('disabled');

    // The access token already issued stops working now, as does its refresh token.
    await t.http.get('/api/v1/auth/me').set('Authorization', bearer).expect(401);
    await t.http
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: login.refresh_token })
      .expect(401);
    const [session] = await t.dataSource.query<
      { revoked_at: Date | null; revoked_reason: string }[]
    >('SELECT revoked_at, revoked_reason FROM user_sessions WHERE id = $1', [login.session_id]);
    expect(session.revoked_at).not.toBeNull();
    expect(session.revoked_reason).toBe('user_disabled');
    const refused = await loginAs(t, {
      email: member.email,
      password: member.password,
      tenant_id: owner.tenantId,
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.code).toBe('account_disabled');

    const [event] = await auditRows(member.userId);
    expect(event).toMatchObject({
      tenant_id: owner.tenantId,
      action: 'user.disabled',
      actor_user_id: owner.userId,
      target_id: member.userId,
      request_id: disabled.headers['x-request-id'],
      details: expect.objectContaining({ via: 'tenant_owner', sessions_revoked: 1 }),
    });

    const enabled = await t.http
      .post(accessPath(owner.tenantId, member.userId, 'enable'))
      .set('Authorization', owner.authorization)
      .expect(204);
    expect(await status(member.userId)).toBe('active');
    const again = await loginAs(t, {
      email: member.email,
      password: member.password,
      tenant_id: owner.tenantId,
    }).expect(200);
    await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${again.body.access_token}`)
      .expect(200);
    const events = await auditRows(member.userId);
    expect(events.map((row) => row.action)).toEqual(['user.disabled', 'user.enabled']);
    expect(events[1]).toMatchObject({
      actor_user_id: owner.userId,
      request_id: enabled.headers['x-request-id'],
      details: expect.objectContaining({ via: 'tenant_owner', from: 'disabled' }),
    });
  });

  it('refuses a member who also belongs to another tenant (403), changing nothing', async () => {
    const { owner, member, login } = await team();
    const elsewhere = await createTestUser(t, { role: 'owner' });
    await t.dataSource.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [member.userId, elsewhere.tenantId, 'member'],
    );
    const refused = await t.http
      .post(accessPath(owner.tenantId, member.userId, 'disable'))
      .set('Authorization', owner.authorization)
      .expect(403);
    expect(refused.body.code).toBe('user_disable_forbidden');
    expect(await status(member.userId)).toBe('active');
    await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${login.access_token}`)
      .expect(200);
    expect(await auditRows(member.userId)).toHaveLength(0);
  });

  it('answers 404 to another tenant`s owner and to non-members; 403 to admins', async () => {
    const { owner, member } = await team();
    const otherOwner = await createTestUser(t, { role: 'owner' });
    // Tenant B's owner on tenant A's path: the tenant check hides tenant A.
    await t.http
      .post(accessPath(owner.tenantId, member.userId, 'disable'))
      .set('Authorization', otherOwner.authorization)
      .expect(404);
    // Tenant B's owner on its own path, targeting a member of tenant A only.
    const notMember = await t.http
      .post(accessPath(otherOwner.tenantId, member.userId, 'disable'))
      .set('Authorization', otherOwner.authorization)
      .expect(404);
    expect(notMember.body.code).toBe('member_not_found');
    const unknown = await t.http
      .post(accessPath(owner.tenantId, randomUUID(), 'disable'))
      .set('Authorization', owner.authorization)
      .expect(404);
    expect(unknown.body.code).toBe('member_not_found');

    const admin = await createTestUser(t, { role: 'admin', tenantId: owner.tenantId });
    const byAdmin = await t.http
      .post(accessPath(owner.tenantId, member.userId, 'disable'))
      .set('Authorization', admin.authorization)
      .expect(403);
    expect(byAdmin.body.code).toBe('insufficient_tenant_role');
    expect(await status(member.userId)).toBe('active');
    expect(await auditRows(member.userId)).toHaveLength(0);
  });

  it('an owner cannot disable their own account (409)', async () => {
    const { owner } = await team();
    const self = await t.http
      .post(accessPath(owner.tenantId, owner.userId, 'disable'))
      .set('Authorization', owner.authorization)
      .expect(409);
    expect(self.body.code).toBe('user_disable_forbidden');
    expect(await status(owner.userId)).toBe('active');
  });

  it('a token demoted from owner since it was issued is refused', async () => {
    const { owner, member } = await team();
    const second = await createTestUser(t, { role: 'owner', tenantId: owner.tenantId });
    await t.dataSource.query(
      "UPDATE tenant_user_memberships SET role = 'admin' WHERE tenant_id = $1 AND user_id = $2",
      [owner.tenantId, second.userId],
    );
    // A fresh token still claiming owner: the role inside the transaction decides.
    const stale = await signAccessToken(t, { ...second, role: 'owner', emailVerified: true });
    const response = await t.http
      .post(accessPath(owner.tenantId, member.userId, 'disable'))
      .set('Authorization', `Bearer ${stale}`);
    expect(response.status).toBe(403);
    expect(await status(member.userId)).toBe('active');
  });
});

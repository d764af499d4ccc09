import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStateService } from '../../../src/modules/auth/sessions/session-state.service';
import { RedisService } from '../../../src/platform/redis/redis.service';
import { createTestUser, signAccessToken, type TestUser } from '../../support/auth-fixtures';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';

/**
 * Members over HTTP on two instances sharing Postgres and Redis: list, role change, removal,
 * leaving, the last-owner rule, admin limits, tenant isolation (404) and the audit trail.
 */
describe('tenant members', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const shared = {
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-members-keys-')), 'keyset.json'),
    };
    a = await startTestApp({ env: shared });
    b = await startTestApp({ env: shared });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
  });

  async function team(): Promise<{ owner: TestUser; admin: TestUser; member: TestUser }> {
    const owner = await createTestUser(a, { role: 'owner' });
    const admin = await createTestUser(a, { role: 'admin', tenantId: owner.tenantId });
    const member = await createTestUser(a, { role: 'member', tenantId: owner.tenantId });
    return { owner, admin, member };
  }

  const membersPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/members`;

  async function membershipRole(tenantId: string, userId: string): Promise<string | null> {
    const rows = await a.dataSource.query<{ role: string }[]>(
      'SELECT role FROM tenant_user_memberships WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId],
    );
    return rows[0]?.role ?? null;
  }

  async function auditRows(tenantId: string) {
    return a.dataSource.query<
      { action: string; actor_user_id: string; target_id: string; request_id: string }[]
    >(
      `SELECT action, actor_user_id, target_id, request_id FROM audit_events
        WHERE tenant_id = $1 ORDER BY occurred_at`,
      [tenantId],
    );
  }

  it('lists members in joining order with their account fields, a page at a time', async () => {
    const { owner, admin, member } = await team();
    const first = await a.http
      .get(`${membersPath(owner.tenantId)}?limit=2`)
      .set('Authorization', member.authorization)
      .expect(200);
    expect(first.body.map((m: { user_id: string }) => m.user_id)).toEqual([
      owner.userId,
      admin.userId,
    ]);
    expect(first.body[0]).toEqual({
      user_id: owner.userId,
      email: owner.email,
      display_name: null,
      role: 'owner',
      status: 'active',
      joined_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      last_login_at: null,
    });
    const cursor = first.headers['x-next-cursor'];
    expect(cursor).toEqual(expect.any(String));
    const second = await a.http
      .get(`${membersPath(owner.tenantId)}?limit=2&cursor=${cursor}`)
      .set('Authorization', member.authorization)
      .expect(200);
    expect(second.body.map((m: { user_id: string }) => m.user_id)).toEqual([member.userId]);
    expect(second.headers['x-next-cursor']).toBeUndefined();

    const bad = await a.http
      .get(`${membersPath(owner.tenantId)}?cursor=not-ours`)
      .set('Authorization', member.authorization)
      .expect(422);
    expect(bad.body.code).toBe('validation_error');
  });

  it('a demotion reaches the member`s existing token at once, on both instances', async () => {
    const { owner, member } = await team();
    // Both instances have the session cached as active with the token's role.
    for (const t of [a, b]) {
      await t.http
        .get(membersPath(owner.tenantId))
        .set('Authorization', member.authorization)
        .expect(200);
    }

    const changed = await a.http
      .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'viewer' })
      .expect(200);
    expect(changed.body).toMatchObject({ user_id: member.userId, role: 'viewer' });
    expect(await membershipRole(owner.tenantId, member.userId)).toBe('viewer');

    for (const t of [a, b]) {
      // Viewers do not hold members:read: the same token lost it.
      const refused = await t.http
        .get(membersPath(owner.tenantId))
        .set('Authorization', member.authorization)
        .expect(403);
      expect(refused.body.code).toBe('insufficient_scope');
      const me = await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', member.authorization)
        .expect(200);
      expect(JSON.stringify(me.body)).toContain('"viewer"');
    }

    // Redis losing the entry does not bring the old role back: the miss path reads Postgres.
    await a.app.get(RedisService).client.del(`auth:session:state:${member.sessionId}`);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // past the per-process copy
    await b.http
      .get(membersPath(owner.tenantId))
      .set('Authorization', member.authorization)
      .expect(403);

    const [event] = await auditRows(owner.tenantId);
    expect(event).toMatchObject({
      action: 'member.role_changed',
      actor_user_id: owner.userId,
      target_id: member.userId,
      request_id: changed.headers['x-request-id'],
    });

    // Promoting back gives the same token its rights back at once.
    await a.http
      .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'member' })
      .expect(200);
    await b.http
      .get(membersPath(owner.tenantId))
      .set('Authorization', member.authorization)
      .expect(200);
  });

  it('admins manage members and viewers only, and never grant owner', async () => {
    const { owner, admin, member } = await team();
    const other = await createTestUser(a, { role: 'admin', tenantId: owner.tenantId });
    const cases: [TestUser, string][] = [
      [owner, 'viewer'],
      [other, 'member'],
      [member, 'owner'],
    ];
    for (const [target, role] of cases) {
      const refused = await a.http
        .patch(`${membersPath(owner.tenantId)}/${target.userId}`)
        .set('Authorization', admin.authorization)
        .send({ role })
        .expect(403);
      expect(refused.body.code).toBe('member_role_forbidden');
      expect(await membershipRole(owner.tenantId, target.userId)).toBe(target.role);
    }
    await a.http
      .delete(`${membersPath(owner.tenantId)}/${owner.userId}`)
      .set('Authorization', admin.authorization)
      .expect(403);
    // Members and viewers manage no one (the tenant role is checked first).
    const byMember = await a.http
      .patch(`${membersPath(owner.tenantId)}/${admin.userId}`)
      .set('Authorization', member.authorization)
      .send({ role: 'viewer' })
      .expect(403);
    expect(byMember.body.code).toBe('insufficient_tenant_role');
    // An admin may make a member an admin.
    await a.http
      .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', admin.authorization)
      .send({ role: 'admin' })
      .expect(200);
    expect(await auditRows(owner.tenantId)).toHaveLength(1);
  });

  it('the last owner can be neither demoted nor removed nor leave; a second owner unlocks it', async () => {
    const { owner, member } = await team();
    const path = `${membersPath(owner.tenantId)}/${owner.userId}`;
    const demoted = await a.http
      .patch(path)
      .set('Authorization', owner.authorization)
      .send({ role: 'admin' })
      .expect(409);
    expect(demoted.body).toMatchObject({ success: false, code: 'last_owner' });
    await a.http.delete(path).set('Authorization', owner.authorization).expect(409);
    const left = await a.http
      .delete(`${membersPath(owner.tenantId)}/me`)
      .set('Authorization', owner.authorization)
      .expect(409);
    expect(left.body.code).toBe('last_owner');
    expect(await membershipRole(owner.tenantId, owner.userId)).toBe('owner');

    await a.http
      .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'owner' })
      .expect(200);
    await a.http
      .delete(`${membersPath(owner.tenantId)}/me`)
      .set('Authorization', owner.authorization)
      .expect(204);
    expect(await membershipRole(owner.tenantId, owner.userId)).toBeNull();
    expect((await auditRows(owner.tenantId)).map((row) => row.action)).toEqual([
      'member.role_changed',
      'member.left',
    ]);
  });

  it('two owners demoting each other at once leave exactly one owner', async () => {
    const { owner } = await team();
    const second = await createTestUser(a, { role: 'owner', tenantId: owner.tenantId });
    const results = await Promise.all([
      a.http
        .patch(`${membersPath(owner.tenantId)}/${second.userId}`)
        .set('Authorization', owner.authorization)
        .send({ role: 'admin' }),
      b.http
        .patch(`${membersPath(owner.tenantId)}/${owner.userId}`)
        .set('Authorization', second.authorization)
        .send({ role: 'admin' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // The second change either finds its actor demoted (403) or the target last (409).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const owners = await a.dataSource.query<{ n: string }[]>(
      "SELECT count(*) AS n FROM tenant_user_memberships WHERE tenant_id = $1 AND role = 'owner'",
      [owner.tenantId],
    );
    expect(Number(owners[0].n)).toBe(1);
  });

  it('removal ends the member`s tenant sessions at once on both instances, other tenants untouched', async () => {
    const { owner, member } = await team();
    // The same person also belongs to a second tenant, with its own session there.
    const elsewhere = await createTestUser(a, { role: 'owner' });
    const otherSession = randomUUID();
    await a.dataSource.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [member.userId, elsewhere.tenantId, 'member'],
    );
    await a.dataSource.query(
      `INSERT INTO user_sessions (id, user_id, tenant_id, refresh_jti, last_seen_at)
       VALUES ($1, $2, $3, $4, now())`,
      [otherSession, member.userId, elsewhere.tenantId, randomUUID()],
    );
    await a.app.get(SessionStateService).markActive(otherSession);
    const otherToken = await signAccessToken(a, {
      userId: member.userId,
      tenantId: elsewhere.tenantId,
      role: 'member',
      emailVerified: true,
      sessionId: otherSession,
    });
    await b.http.get('/api/v1/auth/me').set('Authorization', member.authorization).expect(200);

    await a.http
      .delete(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', owner.authorization)
      .expect(204);
    expect(await membershipRole(owner.tenantId, member.userId)).toBeNull();
    for (const t of [a, b]) {
      const refused = await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', member.authorization)
        .expect(401);
      expect(refused.body.code).toBe('session_revoked');
      await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${otherToken}`).expect(200);
    }
    const again = await a.http
      .delete(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', owner.authorization)
      .expect(404);
    expect(again.body.code).toBe('member_not_found');
    const [event] = await auditRows(owner.tenantId);
    expect(event).toMatchObject({ action: 'member.removed', target_id: member.userId });
  });

  it('another tenant`s members, and unknown members, answer 404 on every route', async () => {
    const { owner } = await team();
    const stranger = await createTestUser(a, { role: 'owner' });
    const requests = [
      a.http.get(membersPath(owner.tenantId)),
      a.http.patch(`${membersPath(owner.tenantId)}/${owner.userId}`).send({ role: 'viewer' }),
      a.http.delete(`${membersPath(owner.tenantId)}/${owner.userId}`),
      a.http.delete(`${membersPath(owner.tenantId)}/me`),
      a.http.get(`/api/v1/tenants/${owner.tenantId}/audit-events`),
      a.http.get(`${membersPath('not-a-uuid')}`),
    ];
    for (const request of requests) {
      const response = await request.set('Authorization', stranger.authorization).expect(404);
      expect(response.body).toMatchObject({ success: false, code: 'tenant_not_found' });
    }
    expect(await membershipRole(owner.tenantId, owner.userId)).toBe('owner');

    const unknown = await a.http
      .patch(`${membersPath(owner.tenantId)}/${randomUUID()}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'viewer' })
      .expect(404);
    expect(unknown.body.code).toBe('member_not_found');
    const strangerInOwnTenant = await a.http
      .patch(`${membersPath(owner.tenantId)}/${stranger.userId}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'viewer' })
      .expect(404);
    expect(strangerInOwnTenant.body.code).toBe('member_not_found');
    expect(await membershipRole(stranger.tenantId, stranger.userId)).toBe('owner');
  });

  it('refuses bad input with 422 and changes nothing', async () => {
    const { owner, member } = await team();
    for (const body of [
      {},
      { role: 'superadmin' },
      { role: 7 },
      { role: ['viewer'] },
      { role: 'VIEWER' },
    ]) {
      const response = await a.http
        .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
        .set('Authorization', owner.authorization)
        .send(body);
      expect(response.status).toBe(422);
      expect(response.body.success).toBe(false);
    }
    await a.http
      .patch(`${membersPath(owner.tenantId)}/not-a-uuid`)
      .set('Authorization', owner.authorization)
      .send({ role: 'viewer' })
      .expect(422);
    expect(await membershipRole(owner.tenantId, member.userId)).toBe('member');
    expect(await auditRows(owner.tenantId)).toHaveLength(0);
  });

  it('GET /api/v1/auth/tenants lists the caller`s memberships', async () => {
    const { owner, member } = await team();
    const elsewhere = await createTestUser(a, { role: 'owner' });
    await a.dataSource.query(
      'INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)',
      [member.userId, elsewhere.tenantId, 'viewer'],
    );
    const response = await a.http
      .get('/api/v1/auth/tenants')
      .set('Authorization', member.authorization)
      .expect(200);
    expect(response.body).toEqual([
      {
        id: owner.tenantId,
        name: `Tenant ${owner.tenantSlug}`,
        slug: owner.tenantSlug,
        role: 'member',
      },
      {
        id: elsewhere.tenantId,
        name: `Tenant ${elsewhere.tenantSlug}`,
        slug: elsewhere.tenantSlug,
        role: 'viewer',
      },
    ]);
    await a.http.get('/api/v1/auth/tenants').expect(401);
  });

  it('the audit log lists each change newest first with actor and request id, for owners and admins', async () => {
    const { owner, admin, member } = await team();
    const viewer = await createTestUser(a, { role: 'viewer', tenantId: owner.tenantId });
    const changed = await a.http
      .patch(`${membersPath(owner.tenantId)}/${member.userId}`)
      .set('Authorization', admin.authorization)
      .send({ role: 'viewer' })
      .expect(200);
    const removed = await a.http
      .delete(`${membersPath(owner.tenantId)}/${viewer.userId}`)
      .set('Authorization', owner.authorization)
      .expect(204);

    const path = `/api/v1/tenants/${owner.tenantId}/audit-events`;
    const page = await a.http
      .get(`${path}?limit=1`)
      .set('Authorization', admin.authorization)
      .expect(200);
    expect(page.body).toEqual([
      expect.objectContaining({
        action: 'member.removed',
        actor_user_id: owner.userId,
        target_type: 'user',
        target_id: viewer.userId,
        request_id: removed.headers['x-request-id'],
        details: { role: 'viewer', sessions: 1 },
      }),
    ]);
    const next = await a.http
      .get(`${path}?limit=1&cursor=${page.headers['x-next-cursor']}`)
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(next.body).toEqual([
      expect.objectContaining({
        action: 'member.role_changed',
        actor_user_id: admin.userId,
        request_id: changed.headers['x-request-id'],
        details: { from: 'member', to: 'viewer' },
      }),
    ]);
    expect(next.headers['x-next-cursor']).toBeUndefined();

    const filtered = await a.http
      .get(`${path}?action=member.role_changed&actor_user_id=${admin.userId}`)
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(filtered.body.map((e: { action: string }) => e.action)).toEqual(['member.role_changed']);
    await a.http.get(`${path}?action=nope`).set('Authorization', owner.authorization).expect(422);
    // Members (now a viewer) may not read it.
    const refused = await a.http.get(path).set('Authorization', member.authorization).expect(403);
    expect(['insufficient_scope', 'insufficient_tenant_role']).toContain(refused.body.code);
  });
});

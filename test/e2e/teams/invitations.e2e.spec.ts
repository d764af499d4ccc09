import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractToken, startSmtpFake, type SmtpFake, type StripeFake } from '../../support/fakes';
import { createTestUser, uniqueEmail, type TestUser } from '../../support/auth-fixtures';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV } from '../auth/auth-e2e-helpers';
import { billingEnv, startBillingStripeFake } from '../billing/billing-kit';

const PASSWORD = 'Copper-Lantern-Orchard-58';

interface AcceptedBody {
  tenant_id: string;
  user_id: string;
  role: string;
  account_created: boolean;
  session: { access_token: string; refresh_token: string; tenant_id: string } | null;
}

/**
 * Invitations over HTTP on two instances sharing Postgres and Redis, with the SMTP fake for the
 * mail and billing on (the Stripe fake) for the seat count: the whole team lifecycle from the
 * first invitation to the audit list, plus every refusal of a bad token or a cross-tenant call.
 */
describe('tenant invitations', () => {
  let smtp: SmtpFake;
  let stripe: StripeFake;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    stripe = await startBillingStripeFake();
    const env = {
      ...FAST_AUTH_ENV,
      ...billingEnv(stripe),
      SMTP_URL: smtp.url,
      EMAIL_LINK_BASE_URL: 'https://app.example.test/',
      INVITATION_LINK_PATH: '/join',
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-invite-keys-')), 'keyset.json'),
    };
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await stripe.close();
    await smtp.close();
  });

  const invitationsPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/invitations`;
  const membersPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/members`;
  const bearer = (token: string) => `Bearer ${token}`;

  function invite(app: TestApp, by: TestUser, email: string, role = 'member') {
    return app.http
      .post(invitationsPath(by.tenantId))
      .set('Authorization', by.authorization)
      .send({ email, role });
  }

  /** Invites and returns the token from the mail that arrived for this invitation. */
  async function inviteAndReadToken(by: TestUser, email: string, role = 'member') {
    const before = smtp.messages.length;
    const response = await invite(a, by, email, role).expect(201);
    const mail = await smtp.waitForMail(
      (m) => m.seq > before && m.to.includes(email.toLowerCase()),
    );
    const token = extractToken(mail);
    if (!token) throw new Error(`no token in the invitation mail: ${mail.text}`);
    return { response, mail, token };
  }

  function accept(app: TestApp, body: Record<string, unknown>, authorization?: string) {
    const request = app.http.post('/api/v1/auth/invitations/accept');
    if (authorization) request.set('Authorization', authorization);
    return request.send(body);
  }

  async function invitationRow(id: string) {
    const rows = await a.dataSource.query<
      { token_hash: string; accepted_at: Date | null; revoked_at: Date | null; role: string }[]
    >('SELECT token_hash, accepted_at, revoked_at, role FROM tenant_invitations WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }

  it('runs the team lifecycle end to end: invite, accept, demote, remove, re-invite, seats, audit', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    // Three seats: the owner, the new member and one more.
    await a.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro', billing_email: 'billing@example.test', seat_count: 3 })
      .expect(201);

    // 1. The owner invites a new person; the mail carries a single-use link.
    const email = uniqueEmail('Newbie').toUpperCase();
    const first = await inviteAndReadToken(owner, email);
    expect(first.response.body).toEqual({
      id: expect.any(String),
      tenant_id: owner.tenantId,
      email: email.toLowerCase(),
      role: 'member',
      status: 'pending',
      invited_by_user_id: owner.userId,
      created_at: expect.any(String),
      expires_at: expect.any(String),
    });
    const days =
      (Date.parse(first.response.body.expires_at) - Date.parse(first.response.body.created_at)) /
      86_400_000;
    expect(days).toBeCloseTo(7, 3);
    expect(first.mail.subject).toContain(`Tenant ${owner.tenantSlug}`);
    expect(first.mail.text).toContain('https://app.example.test/join?token=');
    expect(first.mail.text).toContain(owner.email);
    // Hashed at rest: the row never holds the token.
    const stored = await invitationRow(first.response.body.id);
    expect(stored.token_hash).not.toContain(first.token);
    expect(stored.token_hash).not.toBe(createHash('sha256').update(first.token).digest('hex'));

    const pending = await a.http
      .get(invitationsPath(owner.tenantId))
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(pending.body.map((i: { id: string }) => i.id)).toEqual([first.response.body.id]);

    // 2. The new person accepts: an account with a verified email, a member, signed in.
    const accepted = await accept(b, {
      token: first.token,
      password: PASSWORD,
      display_name: 'Nina',
    }).expect(200);
    const body = accepted.body as AcceptedBody;
    expect(body).toMatchObject({
      tenant_id: owner.tenantId,
      role: 'member',
      account_created: true,
    });
    expect(body.session?.tenant_id).toBe(owner.tenantId);
    const users = await a.dataSource.query<{ email_verified_at: Date | null; status: string }[]>(
      'SELECT email_verified_at, status FROM users WHERE id = $1',
      [body.user_id],
    );
    expect(users[0].email_verified_at).not.toBeNull();
    expect(users[0].status).toBe('active');
    expect((await invitationRow(first.response.body.id)).accepted_at).not.toBeNull();
    // Single use.
    const twice = await accept(a, { token: first.token, password: PASSWORD }).expect(409);
    expect(twice.body).toMatchObject({ success: false, code: 'invitation_already_accepted' });

    // 3. The member lists the members with the session they got.
    const member = bearer(body.session!.access_token);
    const listed = await a.http
      .get(membersPath(owner.tenantId))
      .set('Authorization', member)
      .expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user_id: body.user_id, role: 'member', display_name: 'Nina' }),
      ]),
    );

    // 4. Demoted to viewer: their next request, on the other instance too, has viewer rights.
    const demoted = await a.http
      .patch(`${membersPath(owner.tenantId)}/${body.user_id}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'viewer' })
      .expect(200);
    for (const app of [a, b]) {
      const refused = await app.http.get(membersPath(owner.tenantId)).set('Authorization', member);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('insufficient_scope');
    }

    // 5. Removed: the tenant token fails at once on both instances.
    const removed = await a.http
      .delete(`${membersPath(owner.tenantId)}/${body.user_id}`)
      .set('Authorization', owner.authorization)
      .expect(204);
    for (const app of [a, b]) {
      await app.http.get('/api/v1/auth/me').set('Authorization', member).expect(401);
    }
    await a.http
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: body.session!.refresh_token })
      .expect(401);

    // 6. Re-invited: the account exists, so it signs in with its password to accept.
    const again = await inviteAndReadToken(owner, email, 'viewer');
    const needsPassword = await accept(a, { token: again.token }).expect(409);
    expect(needsPassword.body.code).toBe('invitation_account_exists');
    const wrong = await accept(a, { token: again.token, password: 'Wrong-Password-Guess-11' });
    expect(wrong.status).toBe(401);
    const rejoined = await accept(b, { token: again.token, password: PASSWORD }).expect(200);
    expect(rejoined.body).toMatchObject({
      user_id: body.user_id,
      role: 'viewer',
      account_created: false,
    });
    await a.http
      .get('/api/v1/auth/me')
      .set('Authorization', bearer((rejoined.body as AcceptedBody).session!.access_token))
      .expect(200);

    // 7. The last owner is protected.
    const lastOwner = await a.http
      .patch(`${membersPath(owner.tenantId)}/${owner.userId}`)
      .set('Authorization', owner.authorization)
      .send({ role: 'admin' })
      .expect(409);
    expect(lastOwner.body.code).toBe('last_owner');

    // 8. Seats: owner + viewer + one pending invitation fill the three seats.
    await invite(a, owner, uniqueEmail('third')).expect(201);
    const full = await invite(a, owner, uniqueEmail('fourth')).expect(409);
    expect(full.body).toMatchObject({ success: false, code: 'seat_limit_reached' });
    const invitationCount = await a.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM tenant_invitations WHERE tenant_id = $1',
      [owner.tenantId],
    );
    expect(invitationCount[0].n).toBe(3);

    // 9. The audit list shows every step with its actor and request id.
    const audit = await a.http
      .get(`/api/v1/tenants/${owner.tenantId}/audit-events?limit=50`)
      .set('Authorization', owner.authorization)
      .expect(200);
    const events = (
      audit.body as { action: string; actor_user_id: string; request_id: string }[]
    ).reverse();
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'member.invited',
        'member.joined',
        'member.role_changed',
        'member.removed',
      ]),
    );
    const byAction = (action: string) => events.filter((e) => e.action === action);
    expect(byAction('member.invited')[0]).toMatchObject({
      actor_user_id: owner.userId,
      request_id: first.response.headers['x-request-id'],
    });
    expect(byAction('member.joined')[0]).toMatchObject({
      actor_user_id: body.user_id,
      request_id: accepted.headers['x-request-id'],
    });
    expect(byAction('member.role_changed')[0].request_id).toBe(demoted.headers['x-request-id']);
    expect(byAction('member.removed')[0].request_id).toBe(removed.headers['x-request-id']);
    expect(byAction('member.joined')).toHaveLength(2);
  });

  it('refuses revoked, replaced, expired, foreign-email and malformed tokens with their own codes', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const email = uniqueEmail('invitee');

    // A newer invitation to the same email replaces the older one.
    const older = await inviteAndReadToken(owner, email);
    const newer = await inviteAndReadToken(owner, email, 'admin');
    const replaced = await accept(a, { token: older.token, password: PASSWORD }).expect(410);
    expect(replaced.body.code).toBe('invitation_revoked');
    expect((await invitationRow(older.response.body.id)).revoked_at).not.toBeNull();

    // Revoked by the owner.
    await a.http
      .delete(`${invitationsPath(owner.tenantId)}/${newer.response.body.id}`)
      .set('Authorization', owner.authorization)
      .expect(204);
    expect(
      (await accept(a, { token: newer.token, password: PASSWORD }).expect(410)).body.code,
    ).toBe('invitation_revoked');
    await a.http
      .delete(`${invitationsPath(owner.tenantId)}/${newer.response.body.id}`)
      .set('Authorization', owner.authorization)
      .expect(404);

    // Expired.
    const expiring = await inviteAndReadToken(owner, uniqueEmail('late'));
    await a.dataSource.query(
      "UPDATE tenant_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1",
      [expiring.response.body.id],
    );
    const expired = await accept(a, { token: expiring.token, password: PASSWORD }).expect(410);
    expect(expired.body.code).toBe('invitation_expired');

    // Signed in as someone else: the wrong email.
    const fresh = await inviteAndReadToken(owner, uniqueEmail('right'));
    const stranger = await createTestUser(a, { role: 'owner' });
    const mismatch = await accept(a, { token: fresh.token }, stranger.authorization).expect(403);
    expect(mismatch.body.code).toBe('invitation_email_mismatch');
    // New account without a password, or with a weak one.
    const noPassword = await accept(a, { token: fresh.token }).expect(422);
    expect(noPassword.body.code).toBe('validation_error');
    const weak = await accept(a, { token: fresh.token, password: 'aaaaaaaaaaaaaaaa' });
    expect(weak.status).toBeGreaterThanOrEqual(400);
    expect(weak.status).toBeLessThan(500);
    const noMember = await a.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM tenant_user_memberships WHERE tenant_id = $1',
      [owner.tenantId],
    );
    expect(noMember[0].n).toBe(1);

    // A disabled account cannot accept, even with its password.
    const disabled = await createPasswordUser(a, { status: 'disabled' });
    const forDisabled = await inviteAndReadToken(owner, disabled.email);
    const refusedDisabled = await accept(a, {
      token: forDisabled.token,
      password: disabled.password,
    }).expect(403);
    expect(refusedDisabled.body.code).toBe('account_disabled');
    expect((await invitationRow(forDisabled.response.body.id)).accepted_at).toBeNull();

    for (const token of ['not-a-token', 'A'.repeat(43)]) {
      const bad = await accept(a, { token, password: PASSWORD }).expect(400);
      expect(bad.body.code).toBe('invalid_invitation_token');
    }
    await accept(a, { token: fresh.token }, 'Bearer not-a-jwt').expect(401);
    await accept(a, {}).expect(422);
  });

  it('an existing member signed in joins a second tenant with the token alone', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const elsewhere = await createTestUser(a, { role: 'owner' });
    const invited = await inviteAndReadToken(owner, elsewhere.email, 'admin');
    const joined = await accept(b, { token: invited.token }, elsewhere.authorization).expect(200);
    expect(joined.body).toEqual({
      tenant_id: owner.tenantId,
      user_id: elsewhere.userId,
      role: 'admin',
      account_created: false,
      session: null,
    });
    const tenants = await a.http
      .get('/api/v1/auth/tenants')
      .set('Authorization', elsewhere.authorization)
      .expect(200);
    expect(tenants.body.map((t: { id: string; role: string }) => [t.id, t.role])).toEqual([
      [elsewhere.tenantId, 'owner'],
      [owner.tenantId, 'admin'],
    ]);
    // Inviting a member again is a conflict, whatever the case of the email.
    const duplicate = await invite(a, owner, elsewhere.email.toUpperCase()).expect(409);
    expect(duplicate.body.code).toBe('already_member');
  });

  it('validates input, limits admins, and answers 404 across tenants', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const admin = await createTestUser(a, { role: 'admin', tenantId: owner.tenantId });
    const member = await createTestUser(a, { role: 'member', tenantId: owner.tenantId });
    const other = await createTestUser(a, { role: 'owner' });

    for (const body of [
      { email: 'nope', role: 'member' },
      { email: uniqueEmail(), role: 'king' },
      {},
    ]) {
      const invalid = await a.http
        .post(invitationsPath(owner.tenantId))
        .set('Authorization', owner.authorization)
        .send(body)
        .expect(422);
      expect(invalid.body.code).toBe('validation_error');
    }
    // Admins invite anyone but an owner; members invite no one.
    const asOwner = await invite(a, admin, uniqueEmail(), 'owner').expect(403);
    expect(asOwner.body.code).toBe('member_role_forbidden');
    await invite(a, admin, uniqueEmail(), 'admin').expect(201);
    await invite(a, member, uniqueEmail()).expect(403);
    await a.http
      .get(invitationsPath(owner.tenantId))
      .set('Authorization', member.authorization)
      .expect(403);

    const mine = await invite(a, owner, uniqueEmail()).expect(201);
    // Another tenant's owner: every route answers 404.
    const foreign = [
      a.http.post(invitationsPath(owner.tenantId)).send({ email: uniqueEmail(), role: 'member' }),
      a.http.get(invitationsPath(owner.tenantId)),
      a.http.delete(`${invitationsPath(owner.tenantId)}/${mine.body.id}`),
      a.http.delete(`${invitationsPath(other.tenantId)}/${mine.body.id}`),
    ];
    for (const request of foreign) {
      const response = await request.set('Authorization', other.authorization);
      expect(response.status).toBe(404);
    }
    expect((await invitationRow(mine.body.id)).revoked_at).toBeNull();
  });
});

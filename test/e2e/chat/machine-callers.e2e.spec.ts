import { serviceAccountOwnerId } from '../../../src/modules/conversations';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, userTextsOf, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { postStream } from './sse-client';

/**
 * Service accounts chat and own conversations as `(tenant, service-account:<name>)`, isolated
 * like users (decision C12): tokens issued and exchanged through the real service-account API.
 */
describe('machine callers: service accounts own conversations', () => {
  let fake: OpenAIFake;
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-machine', OPENAI_BASE_URL: fake.baseURL },
    });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** An access token of `account` for `tenantId`, through issue (dev-local) and exchange. */
  async function machineBearer(account: string, scopes: string[], tenantId: string) {
    const issued = await t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send({ account, scopes, tenant_id: tenantId })
      .expect(201);
    const exchanged = await t.http
      .post('/api/v1/auth/service-accounts/token')
      .send({ refresh_token: issued.body.refresh_token })
      .expect(200);
    return `Bearer ${exchanged.body.access_token as string}`;
  }

  it('chats with memory as (tenant, service-account:<name>), on both endpoints', async () => {
    const monitor = await machineBearer(
      'synthetic-monitor',
      ['conversations:write', 'tools:read'],
      user.tenantId,
    );
    fake.enqueueText('Probe one ok.');
    const first = await t.http
      .post('/api/v1/chat')
      .set('Authorization', monitor)
      .send({ message: 'probe one', conversation_id: 'synthetic-probe' })
      .expect(200);
    expect(first.body).toMatchObject({
      response: 'Probe one ok.',
      conversation_id: 'synthetic-probe',
    });

    fake.enqueueText('Probe two ok.');
    const streamed = await postStream(t.url, monitor, {
      message: 'probe two',
      conversation_id: 'synthetic-probe',
    });
    expect(streamed.text).toBe('Probe two ok.');
    // The second turn saw the first: one conversation with memory.
    expect(userTextsOf(fake.lastRequest()!)).toEqual(['probe one', 'probe two']);

    const rows: { tenant_id: string; user_id: string; message_count: number }[] =
      await t.dataSource.query(
        `SELECT tenant_id, user_id, message_count FROM agent_conversations
          WHERE conversation_key = 'synthetic-probe'`,
      );
    expect(rows).toEqual([
      {
        tenant_id: user.tenantId,
        user_id: serviceAccountOwnerId('synthetic-monitor'),
        message_count: 4,
      },
    ]);
  });

  it('keeps machine and user conversations apart, both ways', async () => {
    fake.enqueueText('Mine.');
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'user thread', conversation_id: 'user-thread' })
      .expect(200);
    // The analytics account may read conversations: it sees its own (none), not the user's.
    const reader = await machineBearer('analytics-batch', ['conversations:read'], user.tenantId);
    const listed = await t.http
      .get('/api/v1/conversations')
      .set('Authorization', reader)
      .expect(200);
    expect(listed.body).toEqual([]);
    await t.http.get('/api/v1/conversations/user-thread').set('Authorization', reader).expect(404);
    await t.http
      .get('/api/v1/conversations/synthetic-probe')
      .set('Authorization', reader)
      .expect(404);

    // The user does not see the monitor's conversation either.
    const mine = await t.http
      .get('/api/v1/conversations')
      .set('Authorization', user.authorization)
      .expect(200);
    const ids = (mine.body as { conversation_id: string }[]).map((c) => c.conversation_id);
    expect(ids).toContain('user-thread');
    expect(ids).not.toContain('synthetic-probe');
  });

  it('is held to its scopes', async () => {
    const monitor = await machineBearer('synthetic-monitor', ['tools:read'], user.tenantId);
    const refused = await t.http
      .post('/api/v1/chat')
      .set('Authorization', monitor)
      .send({ message: 'no scope' })
      .expect(403);
    expect(refused.body).toMatchObject({ success: false });
    expect(refused.body.code).toBe('insufficient_scope');
  });

  it('deleting a user still leaves their conversations without an owner (trigger kept from the FK)', async () => {
    const leaving = await createTestUser(t, { role: 'member', tenantId: user.tenantId });
    fake.enqueueText('Bye.');
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', leaving.authorization)
      .send({ message: 'last words', conversation_id: 'leaving-thread' })
      .expect(200);
    await t.dataSource.query('DELETE FROM tenant_user_memberships WHERE user_id = $1', [
      leaving.userId,
    ]);
    await t.dataSource.query('DELETE FROM users WHERE id = $1', [leaving.userId]);
    const rows: { user_id: string | null }[] = await t.dataSource.query(
      `SELECT user_id FROM agent_conversations WHERE conversation_key = 'leaving-thread'`,
    );
    expect(rows).toEqual([{ user_id: null }]);
  });
});

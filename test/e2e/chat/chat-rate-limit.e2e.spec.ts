import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';
import { postStream } from './sse-client';

/**
 * Chat quotas are shared by every replica (decision C6): two app instances on the same Redis
 * (same key prefix) and database count one user's chats together. Both use the offline model,
 * so this also covers chat on the embedded model.
 */
describe('chat rate limits across two instances', () => {
  let first: TestApp;
  let second: TestApp;
  let user: TestUser;
  let keyDir: string;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'aa-chat-keys-'));
    const env = {
      OPENAI_API_KEY: undefined,
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      // One signing keyset, so a token of one instance verifies on the other.
      AUTH_KEY_STORAGE_PATH: join(keyDir, 'keyset.json'),
      CHAT_STREAM_RATE_LIMIT_PER_MINUTE: '2',
    };
    first = await startTestApp({ env });
    second = await startTestApp({ env });
    user = await createTestUser(first, { role: 'member' });
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('rejects the 61st chat of a minute with the reference 429 on either instance', async () => {
    for (let i = 0; i < 60; i += 1) {
      const app = i % 2 === 0 ? first : second;
      const response = await app.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: `ping ${i}`, conversation_id: 'quota-thread' });
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-remaining']).toBe(String(59 - i));
    }
    for (const app of [first, second]) {
      const response = await app.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'one too many' })
        .expect(429);
      const retryAfter = response.headers['retry-after'];
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(response.body).toMatchObject({
        success: false,
        error: `Rate limit exceeded (chat_per_minute). Retry after ${retryAfter}s.`,
        message: `Rate limit exceeded (chat_per_minute). Retry after ${retryAfter}s.`,
        details: { 'Retry-After': retryAfter },
        code: 'rate_limited',
      });
    }
    // Rejected requests did no work: the conversation holds the 60 accepted turns only.
    const rows: { message_count: number }[] = await first.dataSource.query(
      `SELECT message_count FROM agent_conversations WHERE user_id = $1 AND conversation_key = $2`,
      [user.userId, 'quota-thread'],
    );
    expect(rows[0].message_count).toBe(120);
  });

  it('counts stream starts per minute separately, before the stream opens', async () => {
    const one = await postStream(first.url, user.authorization, { message: 'offline stream' });
    expect(one.status).toBe(200);
    expect(one.text).toContain('You said: "offline stream"');
    expect(one.frames[one.frames.length - 1]).toMatchObject({ is_complete: true });
    const two = await postStream(second.url, user.authorization, { message: 'again' });
    expect(two.status).toBe(200);
    const three = await postStream(first.url, user.authorization, { message: 'too many' });
    expect(three.status).toBe(429);
    expect(three.body).toMatchObject({ code: 'rate_limited' });
    expect((three.body as { message: string }).message).toMatch(
      /^Rate limit exceeded \(chat_stream_per_minute\)\. Retry after \d+s\.$/,
    );
  });
});

import { startTestApp, type TestApp } from '../../support/test-app';

/** X-Forwarded-For is honoured only from TRUSTED_PROXIES (decision P5). */
describe('client IP behind proxies', () => {
  async function clientIpSeen(t: TestApp, forwardedFor: string): Promise<unknown> {
    const response = await t.http.get('/').set('X-Forwarded-For', forwardedFor).expect(200);
    const id = response.headers['x-correlation-id'];
    const line = t.logs.find((entry) => entry.request_id === id && entry.event === 'http.access');
    return line?.client_ip;
  }

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const t = await startTestApp();
    try {
      expect(await clientIpSeen(t, '203.0.113.7')).toBe('127.0.0.1');
    } finally {
      await t.close();
    }
  });

  it('takes the client from X-Forwarded-For when the peer is a trusted proxy', async () => {
    const t = await startTestApp({ env: { TRUSTED_PROXIES: '127.0.0.1/32' } });
    try {
      expect(await clientIpSeen(t, '203.0.113.7')).toBe('203.0.113.7');
      // Only the hops added by trusted proxies count: a spoofed first entry is not trusted.
      expect(await clientIpSeen(t, '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    } finally {
      await t.close();
    }
  });
});

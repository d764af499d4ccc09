import { measure, type LoadResult } from '../lib/load';
import { startServer } from '../lib/server-process';
import type { Scenario } from './scenario';

/**
 * Login throughput (bounded by argon2id by design) and an authenticated route without database
 * work (token verification + Redis session-state check) against the same stack's bare route.
 */
export const authScenario: Scenario = {
  name: 'auth',
  description:
    'login requests/s (argon2id) and authenticated GET /api/v1/auth/me vs the bare route',
  async run(context) {
    const env = {
      ...context.backends.env,
      SIGNUP_RATE_LIMIT_PER_HOUR: '0',
      AUTH_IP_LOCKOUT_THRESHOLD: '1000000',
    };
    const app = await startServer('app-with-user', env);
    const notes: string[] = [];
    const results: LoadResult[] = [];
    try {
      const { email, password } = app.info as { email: string; password: string };
      const loginBody = JSON.stringify({ email, password });
      const login = await fetch(`${app.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody,
      });
      if (!login.ok) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
      const { access_token: token } = (await login.json()) as { access_token: string };

      results.push(
        await measure('POST /api/v1/auth/token (argon2id m=19456 KiB, t=2, p=1)', {
          url: `${app.url}/api/v1/auth/token`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: loginBody,
          ...context.load,
          // argon2id makes each login ~30 ms of CPU; a few connections saturate the server.
          connections: 4,
        }),
      );
      const bare = await measure('app GET /bench/hello (same stack, no auth)', {
        url: `${app.url}/bench/hello`,
        ...context.load,
      });
      const me = await measure('app GET /api/v1/auth/me (bearer, session state in Redis)', {
        url: `${app.url}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${token}` },
        ...context.load,
      });
      results.push(bare, me);
      const ratio = me.requestsPerSecond / bare.requestsPerSecond;
      notes.push(`authenticated/bare throughput ratio: ${ratio.toFixed(2)} (target >= 0.80)`);
    } finally {
      await app.stop();
    }
    return { results, notes };
  },
};

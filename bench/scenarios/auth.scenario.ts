import { argon2VerifyRate } from '../lib/argon2-ceiling';
import { measure, type LoadResult } from '../lib/load';
import { measureInterleaved } from '../lib/repeat';
import { RefreshTokenPool } from '../lib/refresh-pool';
import { startServer } from '../lib/server-process';
import type { Scenario } from './scenario';

function ratio(a: LoadResult, b: LoadResult): string {
  const byRps = a.requestsPerSecond / b.requestsPerSecond;
  const byCpu = (b.cpuMicrosPerRequest ?? 0) / (a.cpuMicrosPerRequest ?? 1);
  return `${byRps.toFixed(2)} by req/s, ${byCpu.toFixed(2)} by server CPU per request`;
}

/**
 * Login throughput (bounded by argon2id by design) and an authenticated route without database
 * work (token verification + session-state check) against the bare NestJS route of the
 * foundation bench and against the same stack's unauthenticated route.
 */
export const authScenario: Scenario = {
  name: 'auth',
  description:
    'login (argon2id) and refresh requests/s, authenticated GET /api/v1/auth/me vs bare routes',
  async run(context) {
    const env = {
      ...context.backends.env,
      SIGNUP_RATE_LIMIT_PER_HOUR: '0',
      AUTH_IP_LOCKOUT_THRESHOLD: '1000000',
    };
    const bare = await startServer('bare-nest', {});
    const app = await startServer('app-with-user', env);
    const notes: string[] = [];
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

      const loginResult = await measure(
        'POST /api/v1/auth/token (argon2id m=19456 KiB, t=2, p=1)',
        {
          url: `${app.url}/api/v1/auth/token`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: loginBody,
          ...context.load,
          // argon2id makes each login ~30 ms of CPU; a few connections saturate the server.
          connections: 4,
        },
        app,
      );
      // The ceiling, measured while no server is loaded: raw verifications at the same parameters.
      const rawArgon2 = await argon2VerifyRate(context.load.durationSeconds ?? 10, 4);
      notes.push(
        `login / raw argon2id verify (${rawArgon2.toFixed(1)}/s, 4 at a time): ` +
          `${(loginResult.requestsPerSecond / rawArgon2).toFixed(2)} (target >= 0.90)`,
      );
      // One session per connection for the warm-up and the measured run, plus spares.
      const pool = await RefreshTokenPool.fill(
        app.url,
        { email, password },
        (context.load.connections ?? 50) * 2 + 16,
      );
      const refreshResult = await measure(
        'POST /api/v1/auth/refresh (rotation)',
        { url: app.url, requests: [pool.request()], ...context.load },
        app,
      );
      notes.push(
        `refresh: ${refreshResult.requestsPerSecond} req/s (target >= 1000), ` +
          `${refreshResult.io?.pgTransactions ?? '?'} pg transactions and ` +
          `${refreshResult.io?.pgQueries ?? '?'} pg round trips per refresh (target <= 2)` +
          (pool.starved > 0 ? `; ${pool.starved} requests found the token pool empty` : '') +
          (pool.failures.size > 0
            ? `; failures by status: ${JSON.stringify([...pool.failures])}`
            : ''),
      );
      const [bareHello, appHello, me] = await measureInterleaved(
        [
          {
            name: 'bare NestJS GET /bench/hello',
            options: { url: `${bare.url}/bench/hello`, ...context.load },
            server: bare,
          },
          {
            name: 'app GET /bench/hello (no auth)',
            options: { url: `${app.url}/bench/hello`, ...context.load },
            server: app,
          },
          {
            name: 'app GET /api/v1/auth/me (bearer)',
            options: {
              url: `${app.url}/api/v1/auth/me`,
              headers: { authorization: `Bearer ${token}` },
              ...context.load,
            },
            server: app,
          },
        ],
        context.rounds,
      );
      notes.push(`authenticated / bare NestJS route: ${ratio(me, bareHello)} (target >= 0.75)`);
      notes.push(`authenticated / same-stack unauthenticated route: ${ratio(me, appHello)}`);
      return { results: [loginResult, refreshResult, bareHello, appHello, me], notes };
    } finally {
      await app.stop();
      await bare.stop();
    }
  },
};

import type autocannon from 'autocannon';

/**
 * Refresh tokens for a refresh benchmark. Every refresh rotates the token it presents, so a
 * request takes a token from the pool and puts back the one its answer carries. Each token is its
 * own session (one login each), as with real clients: no two connections contend for one row.
 * A run that stops drops the answers still in flight, and their tokens with them, so the pool
 * needs one token per connection for every run it serves.
 */
export class RefreshTokenPool {
  private readonly tokens: string[] = [];
  /** Requests sent while the pool was empty (each would have been a reuse, so it is skipped). */
  starved = 0;
  /** Answers other than 200, by status (each loses its token). */
  readonly failures = new Map<number, number>();

  static async fill(
    baseUrl: string,
    credentials: { email: string; password: string },
    size: number,
    parallel = 4,
  ): Promise<RefreshTokenPool> {
    const pool = new RefreshTokenPool();
    const loginOnce = async () => {
      const response = await fetch(`${baseUrl}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      if (!response.ok) throw new Error(`bench login failed: ${response.status}`);
      pool.tokens.push(((await response.json()) as { refresh_token: string }).refresh_token);
    };
    for (let done = 0; done < size; done += parallel) {
      await Promise.all(Array.from({ length: Math.min(parallel, size - done) }, loginOnce));
    }
    return pool;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The autocannon request: a POST /api/v1/auth/refresh with a token from the pool. */
  request(): autocannon.Request {
    return {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        const token = this.tokens.shift();
        if (token === undefined) {
          this.starved += 1;
          return { ...request, body: '{}' };
        }
        return { ...request, body: JSON.stringify({ refresh_token: token }) };
      },
      onResponse: (status, body) => {
        if (status !== 200) {
          this.failures.set(status, (this.failures.get(status) ?? 0) + 1);
          return;
        }
        this.tokens.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
      },
    };
  }
}

import { TcpProxy } from '../../support/tcp-proxy';
import {
  startTestApp,
  usingRealPostgres,
  usingRealRedis,
  type TestApp,
} from '../../support/test-app';

const realServices = usingRealPostgres() && usingRealRedis();
const describeReal = realServices ? describe : describe.skip;

async function eventually(probe: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('condition not met in time');
}

/** Readiness follows Postgres and Redis (decision P6): 503 while one is unreachable, 200 again after. */
describeReal('readiness against unreachable dependencies', () => {
  let t: TestApp;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;

  beforeAll(async () => {
    pgProxy = await TcpProxy.start('127.0.0.1', 5432);
    redisProxy = await TcpProxy.start('127.0.0.1', 6379);
    const database = new URL(process.env.TEST_DATABASE_URL!);
    database.port = String(pgProxy.port);
    t = await startTestApp({
      env: {
        DATABASE_URL: database.toString(),
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}/0`,
        DATABASE_HEALTH_TIMEOUT: '1',
        HEALTH_CHECK_TIMEOUT_SECONDS: '1',
      },
    });
  });

  afterAll(async () => {
    await pgProxy.restore();
    await redisProxy.restore();
    await t.close();
    await pgProxy.close();
    await redisProxy.close();
  });

  const ready = async () => (await t.http.get('/health/ready')).status === 200;

  it('is ready with both dependencies up', async () => {
    const response = await t.http.get('/health/ready').expect(200);
    expect(response.body).toMatchObject({ status: 'ready', version: '1.0.0' });
    const verbose = await t.http.get('/readyz?verbose').expect(200);
    expect(verbose.body.details).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      migrations: { status: 'up' },
      keyset: { status: 'up' },
    });
  });

  it('turns 503 when Postgres is unreachable and 200 when it returns', async () => {
    await pgProxy.cut();
    await eventually(async () => !(await ready()));
    const response = await t.http.get('/health/ready').expect(503);
    expect(response.body).toMatchObject({ success: false, code: 'not_ready' });
    expect(response.body.message).toMatch(/^Database connectivity check failed: [a-z_]+$/);
    const readyz = await t.http.get('/readyz').expect(503);
    expect(readyz.body.details.details.database.status).toBe('down');
    expect(await t.http.get('/livez').then((r) => r.status)).toBe(200);

    await pgProxy.restore();
    await eventually(ready);
  });

  it('turns 503 when Redis is unreachable and 200 when it returns', async () => {
    await redisProxy.cut();
    await eventually(async () => !(await ready()));
    const response = await t.http.get('/health/ready').expect(503);
    expect(response.body.message).toMatch(/^Redis connectivity check failed: [a-z_]+$/);

    await redisProxy.restore();
    await eventually(ready);
  });
});

import { SLOW_PROMPT_PREFIX } from '../lib/bench-openai-fake';
import { ioSnapshot, perRequest, STATS_SETTLE_MS } from '../lib/load';
import { startServer, type ServerHandle } from '../lib/server-process';
import { chatStream, directResponsesStream, freshConnections, percentile } from '../lib/sse-client';
import type { Scenario } from './scenario';

const TTFC_SAMPLES = 200;
const CONCURRENT_STREAMS = 500;
const ROUNDS = 6;

/** Logs in the bench user the server seeded and returns its access token. */
async function loginAs(server: ServerHandle): Promise<string> {
  const { email, password } = server.info as { email: string; password: string };
  const login = await fetch(`${server.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return ((await login.json()) as { access_token: string }).access_token;
}

/**
 * Chat streaming against the OpenAI fake (in its own process): the time-to-first-chunk our stack
 * adds over the fake's own, and 500 concurrent streams on one instance (errors and memory).
 */
export const chatScenario: Scenario = {
  name: 'chat',
  description: `added time-to-first-chunk over the OpenAI fake; ${CONCURRENT_STREAMS} concurrent streams x ${ROUNDS} rounds`,
  async run(context) {
    // Every server started is stopped, also when a later one fails to start.
    const servers: ServerHandle[] = [];
    const start = async (...args: Parameters<typeof startServer>) => {
      const server = await startServer(...args);
      servers.push(server);
      return server;
    };
    try {
      return await measure(context, start);
    } finally {
      for (const server of servers.reverse()) await server.stop();
    }
  },
};

/** Postgres and Redis work of one streamed turn in a new conversation (sequential streams). */
async function backendWorkPerStream(app: ServerHandle, token: string): Promise<string> {
  const streams = 50;
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const before = await ioSnapshot(app);
  for (let i = 0; i < streams; i += 1) await chatStream(app.url, token, `round trips ${i}`);
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const io = perRequest(before, await ioSnapshot(app), streams);
  if (!io) return 'backend work per stream: not reported';
  return (
    `backend work per streamed turn (new conversation, ${streams} sequential): ` +
    `${io.pgTransactions ?? '-'} Postgres transactions, ${io.pgQueries} queries, ` +
    `${io.redisCommands} Redis commands in ${io.redisRoundTrips} round trips`
  );
}

async function measure(
  context: Parameters<Scenario['run']>[0],
  start: (...args: Parameters<typeof startServer>) => Promise<ServerHandle>,
): ReturnType<Scenario['run']> {
  const fake = await start('openai-fake', {});
  const baseURL = String(fake.info.baseURL);
  const chatEnv = {
    ...context.backends.env,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: baseURL,
    CHAT_STREAM_RATE_LIMIT_PER_MINUTE: '0',
    CHAT_STREAM_CONCURRENT_LIMIT: '0',
    DATABASE_POOL_SIZE: '20',
  };
  const app = await start('app-with-user', chatEnv);
  // The same stack with billing on: every turn passes the plan entitlement check (cached
  // entitlements + one Redis read of the tenant's consumption; the free tier here, with a
  // quota no turn reaches). Workers off, so only the request path differs.
  const billed = await start('app-with-user', {
    ...chatEnv,
    ENABLE_BILLING: 'true',
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: 'whsec_bench',
    STRIPE_API_BASE_URL: 'http://127.0.0.1:9',
    STRIPE_PRODUCT_PRICE_MAP: '{"starter":"price_starter","pro":"price_pro"}',
    ENABLE_BILLING_RETRY_WORKER: 'false',
    ENABLE_BILLING_METER_WORKER: 'false',
    ENABLE_BILLING_STREAM_REPLAY: 'false',
    BILLING_FREE_TIER_CHAT_TOKENS: '2000000000',
  });
  const notes: string[] = [];
  const rows: Record<string, string | number>[] = [];
  const token = await loginAs(app);
  const billedToken = await loginAs(billed);

  // Sequential samples: latency without queueing.
  for (let i = 0; i < 20; i += 1) {
    await directResponsesStream(baseURL);
    await chatStream(app.url, token, 'warm up');
    await chatStream(billed.url, billedToken, 'warm up');
  }
  const direct: number[] = [];
  const viaApp: number[] = [];
  const viaBilled: number[] = [];
  let failures = 0;
  for (let i = 0; i < TTFC_SAMPLES; i += 1) {
    direct.push(await directResponsesStream(baseURL));
    const outcome = await chatStream(app.url, token, `question ${i}`);
    if (outcome.status !== 200 || !outcome.completed) failures += 1;
    viaApp.push(outcome.firstChunkMs);
    const billedOutcome = await chatStream(billed.url, billedToken, `question ${i}`);
    if (billedOutcome.status !== 200 || !billedOutcome.completed) failures += 1;
    viaBilled.push(billedOutcome.firstChunkMs);
  }
  const added = percentile(viaApp, 50) - percentile(direct, 50);
  const entitlementCost = percentile(viaBilled, 50) - percentile(viaApp, 50);
  rows.push(
    {
      run: 'TTFC straight to the OpenAI fake',
      'p50 ms': percentile(direct, 50),
      'p99 ms': percentile(direct, 99),
      errors: 0,
    },
    {
      run: 'TTFC through POST /api/v1/chat/stream',
      'p50 ms': percentile(viaApp, 50),
      'p99 ms': percentile(viaApp, 99),
      errors: failures,
    },
    {
      run: 'TTFC through POST /api/v1/chat/stream, billing on (entitlement check)',
      'p50 ms': percentile(viaBilled, 50),
      'p99 ms': percentile(viaBilled, 99),
      errors: failures,
    },
  );
  notes.push(
    `entitlement check (billing on - off) at p50: ${entitlementCost.toFixed(2)} ms, p99: ${(percentile(viaBilled, 99) - percentile(viaApp, 99)).toFixed(2)} ms`,
  );
  notes.push(
    `added time-to-first-chunk at p50: ${added.toFixed(2)} ms (target < 5 ms), p99 added: ${(percentile(viaApp, 99) - percentile(direct, 99)).toFixed(2)} ms`,
  );

  // The billed twin only serves the TTFC comparison: the concurrency rounds below measure one
  // server alone on the machine.
  await billed.stop();
  notes.push(await backendWorkPerStream(app, token));
  const memory: number[] = [await app.rssMiB()];
  const liveBefore = await app.liveHeapMiB();
  freshConnections();
  for (let round = 1; round <= ROUNDS; round += 1) {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENT_STREAMS }, (_, i) =>
        chatStream(app.url, token, `${SLOW_PROMPT_PREFIX} stream ${i}`),
      ),
    );
    const failed = outcomes.filter((o) => o.status !== 200 || !o.completed);
    const errors = failed.length;
    const reasons = [
      ...new Set(failed.map((o) => `${o.status} ${o.error ?? 'no final frame'}`)),
    ].slice(0, 3);
    if (reasons.length > 0) notes.push(`round ${round} failures: ${reasons.join(' | ')}`);
    // Let the last replies finish persisting before measuring.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    memory.push(await app.rssMiB());
    rows.push({
      run: `${CONCURRENT_STREAMS} concurrent streams, round ${round}`,
      'p50 ms': percentile(
        outcomes.map((o) => o.totalMs),
        50,
      ),
      'p99 ms': percentile(
        outcomes.map((o) => o.totalMs),
        99,
      ),
      errors,
    });
    notes.push(
      `round ${round}: ${CONCURRENT_STREAMS} streams in ${Math.round(performance.now() - started)} ms, ${errors} errors, server RSS ${memory[round]} MiB`,
    );
  }
  const liveAfter = await app.liveHeapMiB();
  notes.push(
    `server live heap (heap snapshot): ${liveBefore.toFixed(1)} MiB before, ${liveAfter.toFixed(1)} MiB after ${ROUNDS * CONCURRENT_STREAMS} streams`,
  );
  notes.push(
    `server RSS after GC: before ${memory[0]} MiB, after rounds ${memory.slice(1).join(' / ')} MiB`,
  );
  return { results: [], notes, rows };
}

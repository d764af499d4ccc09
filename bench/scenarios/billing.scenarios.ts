import autocannon from 'autocannon';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'node:http';
import Stripe from 'stripe';
import { ioSnapshot, perRequest, STATS_SETTLE_MS } from '../lib/load';
import { startServer, type ServerHandle } from '../lib/server-process';
import { percentile } from '../lib/sse-client';
import type { Scenario, ScenarioContext } from './scenario';

const SUBSCRIBERS = 1000;
const EVENTS = 10;
const WEBHOOK_SECRET = 'whsec_bench';

function billingEnv(context: ScenarioContext): Record<string, string> {
  return {
    ...context.backends.env,
    ENABLE_BILLING: 'true',
    ENABLE_BILLING_STREAM: 'true',
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_PRODUCT_PRICE_MAP: '{"starter":"price_starter","pro":"price_pro"}',
    // Nothing in these scenarios calls Stripe; a dead local port guarantees it never leaves the box.
    STRIPE_API_BASE_URL: 'http://127.0.0.1:9',
    BILLING_STREAM_CONCURRENT_LIMIT: '0',
    BILLING_STREAM_RATE_LIMIT_PER_MINUTE: '0',
    BILLING_RETRY_POLL_SECONDS: '1',
  };
}

async function login(server: ServerHandle): Promise<string> {
  const { email, password } = server.info as { email: string; password: string };
  const response = await fetch(`${server.url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** 1,000 subscribers of one tenant's billing stream on one instance; each event's delivery latency. */
export const billingStreamScenario: Scenario = {
  name: 'billing-stream',
  description: `${SUBSCRIBERS} SSE subscribers, ${EVENTS} published events: delivery latency and memory`,
  async run(context) {
    const server = await startServer('app-billing', billingEnv(context));
    const notes: string[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    const sockets: ReturnType<typeof request>[] = [];
    try {
      const token = await login(server);
      const tenantId = String(server.info.tenantId);
      const rssBefore = await server.rssMiB();
      const publishedAt = new Map<string, number>();
      const latencies: number[] = [];
      const received = new Map<string, number>();
      let connected = 0;
      let failedConnections = 0;

      await new Promise<void>((resolve) => {
        for (let i = 0; i < SUBSCRIBERS; i += 1) {
          const req = request(
            `${server.url}/api/v1/billing/stream`,
            { agent, headers: { authorization: `Bearer ${token}` } },
            (res) => {
              if (res.statusCode !== 200) failedConnections += 1;
              else connected += 1;
              if (connected + failedConnections === SUBSCRIBERS) resolve();
              const parser = createParser({
                onEvent: ({ data }) => {
                  const event = JSON.parse(data) as { stripe_event_id: string };
                  const sentAt = publishedAt.get(event.stripe_event_id);
                  if (sentAt === undefined) return;
                  latencies.push(performance.now() - sentAt);
                  received.set(
                    event.stripe_event_id,
                    (received.get(event.stripe_event_id) ?? 0) + 1,
                  );
                },
              });
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => parser.feed(chunk));
            },
          );
          req.on('error', () => {
            failedConnections += 1;
            if (connected + failedConnections === SUBSCRIBERS) resolve();
          });
          req.end();
          sockets.push(req);
        }
      });
      const rssConnected = await server.rssMiB();
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const ioBefore = await ioSnapshot(server);

      for (let i = 1; i <= EVENTS; i += 1) {
        const stripeEventId = `evt_bench_fanout_${Date.now()}_${i}`;
        publishedAt.set(stripeEventId, performance.now());
        await fetch(`${server.url}/__bench/billing/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tenantId, stripeEventId }),
        });
        const deadline = Date.now() + 10_000;
        while ((received.get(stripeEventId) ?? 0) < connected && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const io = perRequest(ioBefore, await ioSnapshot(server), EVENTS);
      const rssAfter = await server.rssMiB();
      const missing = [...publishedAt.keys()].reduce(
        (sum, id) => sum + (connected - (received.get(id) ?? 0)),
        0,
      );
      notes.push(
        `${connected} subscribers connected (${failedConnections} refused), ${EVENTS} events, ${missing} deliveries missing`,
      );
      notes.push(
        `delivery latency publish -> subscriber: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${percentile(latencies, 100)} ms`,
      );
      if (io) {
        notes.push(
          `backend work per published event (fan-out to every subscriber included): ${io.pgTransactions ?? '-'} Postgres transactions, ${io.pgQueries} queries, ${io.redisCommands} Redis commands in ${io.redisRoundTrips} round trips`,
        );
      }
      notes.push(
        `server RSS after GC: ${rssBefore} MiB idle, ${rssConnected} MiB with ${connected} streams, ${rssAfter} MiB after the events`,
      );
      return { results: [], notes };
    } finally {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await server.stop();
    }
  },
};

/** Signed Stripe webhooks at full speed on one instance: sustained intake and exactly-once dispatch. */
export const webhookScenario: Scenario = {
  name: 'webhooks',
  description:
    'sustained signed webhook intake (invoice.paid with dispatch), zero lost / zero double-processed',
  async run(context) {
    const server = await startServer('app-billing', billingEnv(context));
    const notes: string[] = [];
    try {
      const tenantId = String(server.info.tenantId);
      const signer = new Stripe('sk_test_bench');
      const prefix = `evt_bench_wh_${Date.now().toString(36)}_`;
      let sequence = 0;
      const makeRequest = (req: autocannon.Request): autocannon.Request => {
        sequence += 1;
        const created = Math.floor(Date.now() / 1000);
        const body = JSON.stringify({
          id: `${prefix}${sequence}`,
          object: 'event',
          type: 'invoice.paid',
          created,
          livemode: false,
          data: {
            object: {
              id: `in_bench_${prefix}${sequence}`,
              object: 'invoice',
              status: 'paid',
              amount_due: 9900,
              currency: 'usd',
              subscription: 'sub_bench',
              customer: 'cus_bench',
              billing_reason: 'subscription_cycle',
              metadata: { tenant_id: tenantId },
              period_start: created - 86400,
              period_end: created,
              lines: { object: 'list', data: [] },
            },
          },
        });
        const signature = signer.webhooks.generateTestHeaderString({
          payload: body,
          secret: WEBHOOK_SECRET,
        });
        return {
          ...req,
          body,
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        };
      };
      const ioBefore = await ioSnapshot(server);
      const result = await autocannon({
        url: server.url,
        connections: 20,
        duration: context.load.durationSeconds ?? 10,
        requests: [{ method: 'POST', path: '/webhooks/stripe', setupRequest: makeRequest }],
      });
      const accepted = result['2xx'];
      const deadline = Date.now() + 120_000;
      let stats: Record<string, number> = {};
      do {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const response = await fetch(`${server.url}/__bench/webhooks/stats?prefix=${prefix}`);
        stats = (await response.json()) as Record<string, number>;
      } while (stats.processed + stats.failed < stats.stored && Date.now() < deadline);
      const seconds = context.load.durationSeconds ?? 10;
      // Per stored event, intake and dispatch together (the dispatch runs after the load ends).
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const io = perRequest(ioBefore, await ioSnapshot(server), stats.stored);
      return {
        results: [
          {
            name: 'POST /webhooks/stripe (signed invoice.paid, stored + dispatched)',
            requestsPerSecond: Math.round(accepted / seconds),
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            errors: result.errors + result.timeouts,
            non2xx: result.non2xx,
            total: result.requests.total,
            io,
          },
        ],
        notes: [
          ...notes,
          `sent ${result.requests.sent} signed events, ${accepted} answered 202 within the run (${Math.round(accepted / seconds)}/s sustained over ${seconds}s)`,
          `stored ${stats.stored}, processed ${stats.processed}, failed ${stats.failed}; lost ${result.requests.sent - stats.stored} (sent but not stored)`,
          `dispatch rows ${stats.dispatch_rows}, completed on the first attempt ${stats.completed_once}, dispatched more than once ${stats.more_than_once}`,
        ],
      };
    } finally {
      await server.stop();
    }
  },
};

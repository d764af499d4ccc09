import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeBillingEvent, tenantStreamKey } from '../../../src/modules/billing';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake, type StripeFake } from '../../support/fakes';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';
import {
  billingEnv,
  openSse,
  startBillingStripeFake,
  waitFor,
  type SseClient,
} from '../billing/billing-kit';
import { postStream } from '../chat/sse-client';

/**
 * Issue 10, defect 3 (docs/streams.md): stream slots held by clients that no longer read.
 * Two app instances share one Redis (same key prefix), one database and one signing keyset.
 * Clients that "never read" are raw sockets paused right after the response head: the kernel
 * still takes a few MB for them, so the stall cases push far more than that.
 */

const BUFFER_BOUND = 16_384;
const EVICTED_FRAME = ': evicted: a newer stream took this slot (billing_stream_concurrency)\n\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawStream {
  status: number;
  socket: Socket;
  /** Resumes reading and resolves with the de-chunked body once the connection closed. */
  readToClose(timeoutMs?: number): Promise<{ body: string; terminated: boolean }>;
  /** Resumes reading (in the background); `received()` is the de-chunked body so far. */
  follow(): void;
  received(): string;
  destroy(): void;
}

/** Opens a stream over a raw socket, reads the response head, then stops reading. */
function openRaw(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  authorization: string,
  body?: unknown,
): Promise<RawStream> {
  const { hostname, port } = new URL(url);
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let headerEnd = -1;
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    const raw = () => Buffer.concat(chunks).toString('latin1');
    const onHead = (data: Buffer) => {
      chunks.push(data);
      headerEnd = raw().indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      socket.pause();
      socket.off('data', onHead);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw())?.[1]);
      const decoded = () => dechunk(Buffer.from(raw().slice(headerEnd + 4), 'latin1'));
      resolve({
        status,
        socket,
        follow: () => {
          socket.on('data', (more: Buffer) => chunks.push(more));
          socket.resume();
        },
        received: () => decoded().body,
        readToClose: (timeoutMs = 15_000) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error('stream did not close')), timeoutMs);
            const finish = () => {
              clearTimeout(timer);
              done(decoded());
            };
            if (closed) return finish();
            socket.on('data', (more: Buffer) => chunks.push(more));
            socket.once('close', finish);
            socket.resume();
          }),
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onHead);
    socket.once('error', reject);
    const headers = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      `Authorization: ${authorization}`,
      'Accept: text/event-stream',
      ...(body === undefined
        ? []
        : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`]),
    ];
    socket.write(`${headers.join('\r\n')}\r\n\r\n${payload}`);
  });
}

/** Decodes a chunked body; `terminated` when the last (zero-size) chunk arrived. */
function dechunk(data: Buffer): { body: string; terminated: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) break;
    if (size === 0) return { body: Buffer.concat(parts).toString('utf8'), terminated: true };
    const start = lineEnd + 2;
    parts.push(data.subarray(start, Math.min(start + size, data.length)));
    if (start + size + 2 > data.length) break;
    offset = start + size + 2;
  }
  return { body: Buffer.concat(parts).toString('utf8'), terminated: false };
}

describe('stream slots held by clients that no longer read', () => {
  let stripe: StripeFake;
  let openai: OpenAIFake;
  let a: TestApp;
  let b: TestApp;
  let keyDir: string;
  const raws: RawStream[] = [];
  const clients: SseClient[] = [];
  let sequence = 0;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    openai = await startOpenAIFake();
    keyDir = mkdtempSync(join(tmpdir(), 'aa-slot-keys-'));
    const env = billingEnv(stripe, {
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      AUTH_KEY_STORAGE_PATH: join(keyDir, 'keyset.json'),
      OPENAI_API_KEY: 'sk-slots',
      OPENAI_BASE_URL: openai.baseURL,
      CHAT_STREAM_CONCURRENT_LIMIT: '2',
      SSE_MAX_BUFFERED_BYTES: String(BUFFER_BOUND),
      SSE_STALL_TIMEOUT_SECONDS: '0.5',
      // The stalled chat stream below is about the immediate stop (run aborted, slot freed), not
      // the resume grace a dropped stream's run otherwise keeps running for.
      CHAT_STREAM_RESUME_GRACE_SECONDS: '0',
      LOG_LEVEL: 'info',
      // The stalled chat stream below streams megabytes before it is cut, and an interrupted
      // turn is metered (its estimate would exhaust the default free tier): quotas are not
      // what this suite tests.
      BILLING_FREE_TIER_CHAT_TOKENS: '1000000000',
    });
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });

  afterEach(() => {
    for (const raw of raws.splice(0)) raw.destroy();
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await openai?.close();
    await stripe?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  async function rawBilling(app: TestApp, user: TestUser): Promise<RawStream> {
    const raw = await openRaw(app.url, 'GET', '/api/v1/billing/stream', user.authorization);
    raws.push(raw);
    expect(raw.status).toBe(200);
    return raw;
  }

  async function sse(app: TestApp, user: TestUser): Promise<SseClient> {
    const client = await openSse(`${app.url}/api/v1/billing/stream`, {
      Authorization: user.authorization,
    });
    clients.push(client);
    return client;
  }

  const billingSlots = (tenantId: string) =>
    a.redis.client.zcard(`rate-limit:concurrency:billing_stream_concurrency:${tenantId}`);
  const chatSlots = (user: TestUser) =>
    a.redis.client.zcard(
      `rate-limit:concurrency:chat_stream_concurrency:${user.tenantId}:${user.userId}`,
    );

  /** Appends one entry to the tenant's Redis stream (the publisher's layout). */
  async function publish(tenantId: string, summary = 'Subscription active'): Promise<string> {
    sequence += 1;
    const payload = serializeBillingEvent({
      tenantId,
      eventType: 'customer.subscription.updated',
      stripeEventId: `evt_slots_${sequence}`,
      occurredAt: new Date('2025-11-07T10:00:00Z'),
      summary,
      status: 'active',
    });
    const key = tenantStreamKey(tenantId);
    // The in-process Redis numbers entries by stream length, so it cannot trim (MAXLEN).
    const trim = a.redis.embedded ? [] : ['MAXLEN', '64'];
    return (await a.redis.client.xadd(key, ...trim, '*', 'data', payload)) as string;
  }

  async function metric(app: TestApp, name: string): Promise<string> {
    return app.app.get(MetricsService).registry.getSingleMetricAsString(name);
  }

  function endRecord(app: TestApp, stream: string, reason: string) {
    return app.logs.find(
      (line) => line.event === 'sse.end' && line.stream === stream && line.end_reason === reason,
    );
  }

  it('lets a new billing stream in at the limit: the oldest gets a last comment and is closed', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const held = [
      await rawBilling(a, owner),
      await rawBilling(a, owner),
      await rawBilling(a, owner),
    ];
    expect(await billingSlots(owner.tenantId)).toBe(3);

    const fresh = await sse(a, owner);
    expect(fresh.status).toBe(200);
    const oldest = await held[0].readToClose();
    expect(oldest.body).toBe(EVICTED_FRAME);
    expect(oldest.terminated).toBe(true);
    expect(await billingSlots(owner.tenantId)).toBe(3);

    // The other two and the new one are live and receive the next event.
    held[1].follow();
    held[2].follow();
    const id = await publish(owner.tenantId);
    expect((await fresh.waitForEvents(1))[0]).toMatchObject({ event_id: id });
    for (const live of [held[1], held[2]]) {
      await waitFor(() => live.received().includes(`"event_id": "${id}"`));
    }
    expect(await billingSlots(owner.tenantId)).toBe(3);
    expect(await metric(a, 'rate_limit_evictions_total')).toMatch(
      /rate_limit_evictions_total\{quota="billing_stream_concurrency"\} [1-9]/,
    );
  });

  it('evicts a stream held by another instance (Redis pub/sub signal)', async () => {
    const owner = await createTestUser(a, { role: 'admin' });
    const onA = await rawBilling(a, owner);
    const onB = [await rawBilling(b, owner), await rawBilling(b, owner)];
    expect(await billingSlots(owner.tenantId)).toBe(3);

    // B evicts the oldest, which A holds: A learns of it from Redis only.
    const fromB = await sse(b, owner);
    expect(fromB.status).toBe(200);
    expect(await onA.readToClose()).toEqual({ body: EVICTED_FRAME, terminated: true });
    expect(await billingSlots(owner.tenantId)).toBe(3);
    expect(await metric(a, 'sse_streams_terminated_total')).toMatch(
      /sse_streams_terminated_total\{stream="billing",reason="evicted"\} [1-9]/,
    );

    // And the other way round: A evicts the oldest, now held by B.
    const fromA = await sse(a, owner);
    expect(fromA.status).toBe(200);
    expect(await onB[0].readToClose()).toEqual({ body: EVICTED_FRAME, terminated: true });
    expect(await billingSlots(owner.tenantId)).toBe(3);

    onB[1].follow();
    const id = await publish(owner.tenantId);
    await fromA.waitForEvents(1);
    await fromB.waitForEvents(1);
    await waitFor(() => onB[1].received().includes(`"event_id": "${id}"`));
    expect(onB[1].received()).not.toContain(EVICTED_FRAME);
  });

  it('closes a billing stream whose client stopped reading, frees its slot and bounds its buffer', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const reader = await rawBilling(a, owner);
    expect(await billingSlots(owner.tenantId)).toBe(1);

    // Large live events until the server gives up on the reader (a few MB fit in the kernel).
    const summary = 'x'.repeat(32_768);
    const frameBytes = summary.length + 1024;
    for (let i = 0; i < 200 && (await billingSlots(owner.tenantId)) > 0; i += 1) {
      for (let j = 0; j < 10; j += 1) await publish(owner.tenantId, summary);
      await sleep(10);
    }
    await waitFor(async () => (await billingSlots(owner.tenantId)) === 0);

    // Never more than the bound plus one frame waited in the process for this client.
    const ended = await waitFor(() => endRecord(a, 'billing', 'stalled'));
    expect(ended.buffered_bytes_max).toBeGreaterThan(BUFFER_BOUND);
    expect(ended.buffered_bytes_max).toBeLessThanOrEqual(BUFFER_BOUND + frameBytes);
    expect(await metric(a, 'sse_streams_terminated_total')).toMatch(
      /sse_streams_terminated_total\{stream="billing",reason="stalled"\} 1/,
    );
    // The connection is gone: the client reads what the kernel held, then the close.
    expect((await reader.readToClose()).terminated).toBe(false);

    const next = await sse(a, owner);
    expect(next.status).toBe(200);
  });

  it('closes a stalled chat stream: the run is aborted and the slot freed', async () => {
    const user = await createTestUser(a, { role: 'member' });
    openai.reset();
    // Paced, so the model is still answering when the server gives up on the reader.
    openai.enqueueText('y'.repeat(12 * 1024 * 1024), { chunkSize: 16_384, chunkDelayMs: 5 });
    const raw = await openRaw(a.url, 'POST', '/api/v1/chat/stream', user.authorization, {
      message: 'A very long answer, please',
    });
    raws.push(raw);
    expect(raw.status).toBe(200);

    const ended = await waitFor(() => endRecord(a, 'chat', 'stalled'), 30_000);
    expect(ended.buffered_bytes_max).toBeLessThanOrEqual(BUFFER_BOUND + 17_000);
    const upstream = await openai.waitForAbort(10_000);
    expect(upstream.chunksSent).toBeLessThan(768);
    await waitFor(async () => (await chatSlots(user)) === 0);
    expect((await raw.readToClose()).terminated).toBe(false);

    openai.enqueueText('Back.');
    const next = await postStream(b.url, user.authorization, { message: 'again' });
    expect(next.status).toBe(200);
    expect(next.text).toBe('Back.');
  });

  it('caps concurrent chat streams per user across both instances; ended runs free their slots', async () => {
    const user = await createTestUser(a, { role: 'member' });
    openai.reset();
    openai.enqueueText('one two three four five six seven eight', { chunkDelayMs: 400 });
    openai.enqueueText('uno dos tres cuatro cinco seis siete ocho', { chunkDelayMs: 400 });
    const opened: (() => void)[] = [];
    const firstFrames = [0, 1].map((i) => new Promise<void>((resolve) => (opened[i] = resolve)));
    const runs = [
      postStream(a.url, user.authorization, { message: 'first' }, { onFrame: () => opened[0]() }),
      postStream(b.url, user.authorization, { message: 'second' }, { onFrame: () => opened[1]() }),
    ];
    await Promise.all(firstFrames);
    expect(await chatSlots(user)).toBe(2);

    for (const app of [a, b]) {
      const refused = await postStream(app.url, user.authorization, { message: 'third' });
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({
        code: 'rate_limited',
        message: expect.stringMatching(
          /^Rate limit exceeded \(chat_stream_concurrency\)\. Retry after [1-5]s\.$/,
        ),
      });
    }
    const done = await Promise.all(runs);
    expect(done.map((run) => run.status)).toEqual([200, 200]);
    expect(done.map((run) => run.frames[run.frames.length - 1].is_complete)).toEqual([true, true]);
    await waitFor(async () => (await chatSlots(user)) === 0);

    openai.enqueueText('Free again.');
    const after = await postStream(b.url, user.authorization, { message: 'fourth' });
    expect(after.status).toBe(200);
    expect(after.text).toBe('Free again.');
  });
});

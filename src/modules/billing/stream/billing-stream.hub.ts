import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { BillingEventsRedis } from './billing-events-redis';
import { compareStreamIds, STREAM_START, tenantStreamKey } from './stream-ids';

export interface StreamEntry {
  id: string;
  /** The `data` field (payload JSON); null for entries without one (skipped by readers). */
  data: string | null;
}

export type EntryListener = (entries: StreamEntry[]) => void;

type RawEntry = [string, string[]];

const BLOCK_MS = 5000;
const POLL_MS = 100;
const READ_COUNT = 100;
const RETRY_MS = 1000;

/** Parses XRANGE/XREAD entries (`[id, [field, value, ...]]`). */
export function toEntries(raw: RawEntry[] | null | undefined): StreamEntry[] {
  return (raw ?? []).map(([id, fields]) => {
    let data: string | null = null;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'data') data = fields[i + 1];
    }
    return { id, data };
  });
}

interface TenantFeed {
  key: string;
  cursor: string;
  listeners: Set<EntryListener>;
}

/**
 * Per-process fan-out of tenant billing streams: ONE blocking XREAD connection follows the
 * streams of every tenant that has a subscriber here and hands new entries to that tenant's
 * listeners, so 1,000 open SSE connections cost one Redis connection, not 1,000. A new tenant
 * wakes the blocked read through a private wake stream. Any replica can serve any tenant: the
 * streams live in Redis.
 */
@Injectable()
export class BillingStreamHub implements OnApplicationShutdown {
  private readonly log: Logger;
  private readonly feeds = new Map<string, TenantFeed>();
  private readonly wakeKey = `billing:events:hub-wake:${randomUUID()}`;
  private wakeCursor = STREAM_START;
  private reader?: Redis;
  private running = false;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: BillingEventsRedis,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.billing_stream');
  }

  /** Listens to a tenant's new entries (those after the stream's end at subscription time). */
  async subscribe(tenantId: string, listener: EntryListener): Promise<() => void> {
    let feed = this.feeds.get(tenantId);
    if (!feed) {
      const key = tenantStreamKey(tenantId);
      const cursor = await this.lastId(key);
      feed = this.feeds.get(tenantId) ?? { key, cursor, listeners: new Set() };
      this.feeds.set(tenantId, feed);
      void this.wake();
    }
    feed.listeners.add(listener);
    this.ensureRunning();
    const registered = feed;
    return () => {
      registered.listeners.delete(listener);
      if (registered.listeners.size === 0 && this.feeds.get(tenantId) === registered) {
        this.feeds.delete(tenantId);
      }
    };
  }

  /** Entries of a tenant's stream after `afterId` (exclusive), oldest first, one page. */
  async readAfter(tenantId: string, afterId: string, count: number): Promise<StreamEntry[]> {
    const key = tenantStreamKey(tenantId);
    // The in-process Redis cannot range from an id: read it all (it is capped) and filter.
    const start = afterId === STREAM_START ? '-' : afterId;
    const raw = (
      this.redis.embedded
        ? await this.redis.commands.xrange(key, '-', '+')
        : await this.redis.commands.xrange(key, start, '+', 'COUNT', count + 1)
    ) as RawEntry[];
    return toEntries(raw)
      .filter((entry) => compareStreamIds(entry.id, afterId) > 0)
      .slice(0, count);
  }

  get subscribedTenants(): number {
    return this.feeds.size;
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.reader?.disconnect();
  }

  private async lastId(key: string): Promise<string> {
    const last = (await this.redis.commands.xrevrange(key, '+', '-', 'COUNT', 1)) as RawEntry[];
    return last[0]?.[0] ?? STREAM_START;
  }

  private ensureRunning(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      if (this.feeds.size > 0 && !this.stopped) this.ensureRunning();
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.feeds.size > 0) {
      try {
        if (this.redis.embedded) await this.pollOnce();
        else await this.readOnce();
      } catch (error) {
        if (this.stopped) return;
        this.log.warn({ err: error }, 'Billing stream read failed; retrying');
        await sleep(RETRY_MS);
      }
    }
  }

  /** One blocking XREAD over every followed tenant plus the wake stream. */
  private async readOnce(): Promise<void> {
    this.reader ??= this.redis.blockingConnection('billing-stream-reader');
    const feeds = [...this.feeds.values()];
    const keys = [this.wakeKey, ...feeds.map((feed) => feed.key)];
    const ids = [this.wakeCursor, ...feeds.map((feed) => feed.cursor)];
    const reply = await this.reader.xread(
      'COUNT',
      READ_COUNT,
      'BLOCK',
      BLOCK_MS,
      'STREAMS',
      ...keys,
      ...ids,
    );
    const prefix = this.config.REDIS_KEY_PREFIX;
    for (const [rawKey, rawEntries] of reply ?? []) {
      const key = prefix && rawKey.startsWith(prefix) ? rawKey.slice(prefix.length) : rawKey;
      const entries = toEntries(rawEntries);
      if (key === this.wakeKey) {
        this.wakeCursor = entries[entries.length - 1]?.id ?? this.wakeCursor;
        continue;
      }
      const feed = feeds.find((candidate) => candidate.key === key);
      if (feed) this.deliver(feed, entries);
    }
  }

  /** In-process Redis: XRANGE per followed tenant, then a short pause when nothing came. */
  private async pollOnce(): Promise<void> {
    let delivered = 0;
    for (const [tenantId, feed] of [...this.feeds.entries()]) {
      const entries = await this.readAfter(tenantId, feed.cursor, READ_COUNT);
      this.deliver(feed, entries);
      delivered += entries.length;
    }
    if (delivered === 0) await sleep(POLL_MS);
  }

  private deliver(feed: TenantFeed, entries: StreamEntry[]): void {
    const fresh = entries.filter((entry) => compareStreamIds(entry.id, feed.cursor) > 0);
    if (fresh.length === 0) return;
    feed.cursor = fresh[fresh.length - 1].id;
    for (const listener of feed.listeners) {
      try {
        listener(fresh);
      } catch (error) {
        this.log.warn({ err: error }, 'Billing stream listener failed');
      }
    }
  }

  /** Interrupts a blocked XREAD so a newly followed tenant is included at once. */
  private async wake(): Promise<void> {
    if (this.redis.embedded || !this.running) return;
    try {
      await this.redis.commands
        .multi()
        .xadd(this.wakeKey, 'MAXLEN', 10, '*', 'wake', '1')
        .expire(this.wakeKey, 300)
        .exec();
    } catch (error) {
      this.log.debug({ err: error }, 'Billing stream wake failed; the next read picks it up');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

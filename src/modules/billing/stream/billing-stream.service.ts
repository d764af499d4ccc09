import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RateLimiter } from '../../../platform/rate-limit/rate-limiter.service';
import { SseService } from '../../../platform/sse/sse.service';
import type { SseStream } from '../../../platform/sse/sse-stream';
import { BillingErrorCode, BillingException } from '../billing.errors';
import { withEventId } from './billing-event-payload';
import { BillingStreamHub, type StreamEntry } from './billing-stream.hub';
import { compareStreamIds, isStreamId, STREAM_START } from './stream-ids';

const HISTORY_PAGE = 128;
const LEASE_TTL_SECONDS = 300;
/** A subscriber this far behind is disconnected; it resumes with Last-Event-ID. */
const MAX_QUEUED = 10_000;
/** The last frame of a stream whose slot a newer stream of the tenant took (docs/streams.md). */
export const BILLING_STREAM_EVICTED_COMMENT =
  'evicted: a newer stream took this slot (billing_stream_concurrency)';

export interface StreamCaller {
  tenantId: string;
  userId?: string;
}

/**
 * The billing SSE stream (decision B3, docs/streams.md): per-tenant quota and concurrency lease,
 * then the tenant's retained history after the resume point (all of it without one), then live
 * entries, each sent as `data: <payload with event_id>` and never twice.
 *
 * At the concurrency limit a new stream is never refused: it evicts the tenant's oldest stream, on
 * whichever replica holds it, which gets a final comment frame and is closed (a proxy that keeps
 * dead upstream connections open must not lock the tenant out).
 */
@Injectable()
export class BillingStreamService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly sse: SseService,
    private readonly hub: BillingStreamHub,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.billing_stream');
  }

  /** `Last-Event-ID` header wins over the `last_event_id` query; anything else means "none". */
  static resumePoint(header: string | undefined, query: unknown): string | null {
    for (const candidate of [header, query]) {
      const value = typeof candidate === 'string' ? candidate.trim() : '';
      if (value && isStreamId(value)) return value;
    }
    return null;
  }

  async serve(
    caller: StreamCaller,
    resumeAfter: string | null,
    request: Request,
    response: Response,
  ): Promise<void> {
    if (!this.config.ENABLE_BILLING_STREAM) {
      throw new BillingException(
        503,
        'Billing stream is disabled.',
        BillingErrorCode.StreamDisabled,
      );
    }
    const logContext = { tenantId: caller.tenantId, userId: caller.userId };
    await this.limiter.hit(
      {
        name: 'billing_stream_per_minute',
        limit: this.config.BILLING_STREAM_RATE_LIMIT_PER_MINUTE,
        windowSeconds: 60,
        scope: 'tenant',
        logContext,
      },
      [caller.tenantId],
    );
    const lease = await this.limiter.acquireLease(
      {
        name: 'billing_stream_concurrency',
        limit: this.config.BILLING_STREAM_CONCURRENT_LIMIT,
        ttlSeconds: LEASE_TTL_SECONDS,
        scope: 'tenant',
        evictOldest: true,
        logContext,
      },
      [caller.tenantId],
    );
    // The lease is released however the stream ends.
    try {
      const stream = this.sse.open(request, response, {
        name: 'billing',
        contentType: 'text/event-stream; charset=utf-8',
      });
      const evict = () => stream.terminate('evicted', BILLING_STREAM_EVICTED_COMMENT);
      if (lease.evicted.aborted) evict();
      else lease.evicted.addEventListener('abort', evict, { once: true });
      try {
        await this.follow(caller.tenantId, resumeAfter ?? STREAM_START, stream);
      } finally {
        lease.evicted.removeEventListener('abort', evict);
      }
      stream.end();
    } finally {
      await lease.release();
    }
  }

  /** History after `after`, then live entries, until the client leaves or the app drains. */
  async follow(tenantId: string, after: string, stream: SseStream): Promise<void> {
    const queue: StreamEntry[] = [];
    let notify: (() => void) | undefined;
    const unsubscribe = await this.hub.subscribe(tenantId, (entries) => {
      queue.push(...entries);
      notify?.();
    });
    const wakeOnClose = () => notify?.();
    stream.signal.addEventListener('abort', wakeOnClose, { once: true });
    let lastSent = after;
    const send = async (entry: StreamEntry) => {
      if (compareStreamIds(entry.id, lastSent) <= 0) return;
      lastSent = entry.id;
      if (entry.data !== null) await stream.send(withEventId(entry.data, entry.id));
    };
    try {
      for (;;) {
        const page = await this.hub.readAfter(tenantId, lastSent, HISTORY_PAGE);
        for (const entry of page) await send(entry);
        if (page.length < HISTORY_PAGE || stream.closed) break;
      }
      while (!stream.closed) {
        if (queue.length > MAX_QUEUED) {
          this.log.warn({ tenant_id: tenantId }, 'Billing stream subscriber too slow; closing');
          break;
        }
        const entry = queue.shift();
        if (entry) {
          await send(entry);
          continue;
        }
        await new Promise<void>((resolve) => (notify = resolve));
        notify = undefined;
      }
    } finally {
      stream.signal.removeEventListener('abort', wakeOnClose);
      unsubscribe();
    }
  }
}

import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { LoggerFactory } from '../observability/logger.factory';
import { MetricsService } from '../observability/metrics.service';
import { SseStream, type SseEndReason } from './sse-stream';

export interface OpenStreamOptions {
  name: 'chat' | 'billing';
  contentType: string;
  /** Called when the process starts draining; default: end the stream. */
  onShutdown?: (stream: SseStream) => void | Promise<void>;
}

/** Opens SSE responses with shared settings, metrics and shutdown draining. */
@Injectable()
export class SseService {
  private readonly log: Logger;
  private readonly active: Gauge<'stream'>;
  private readonly terminations: Counter<'stream' | 'reason'>;

  constructor(
    private readonly config: AppConfig,
    private readonly lifecycle: LifecycleService,
    loggers: LoggerFactory,
    metrics: MetricsService,
  ) {
    this.log = loggers.get('http.sse');
    this.active = metrics.gauge({
      name: 'sse_active_streams',
      help: 'Open SSE streams',
      labelNames: ['stream'],
    });
    this.terminations = metrics.counter({
      name: 'sse_streams_terminated_total',
      help: 'SSE streams closed by the server: evicted by a newer stream, or stalled client',
      labelNames: ['stream', 'reason'],
    });
  }

  open(request: Request, response: Response, options: OpenStreamOptions): SseStream {
    const stream = SseStream.open(request, response, {
      name: options.name,
      contentType: options.contentType,
      pingSeconds: this.config.SSE_PING_SECONDS,
      maxBufferedBytes: this.config.SSE_MAX_BUFFERED_BYTES,
      stallTimeoutMs: this.config.SSE_STALL_TIMEOUT_SECONDS * 1000,
      logger: this.log,
      activeStreams: this.active,
      terminations: this.terminations,
    });
    const unregister = this.lifecycle.onDrain(async () => {
      if (options.onShutdown) await options.onShutdown(stream);
      stream.end('shutdown' satisfies SseEndReason);
    });
    stream.signal.addEventListener('abort', unregister, { once: true });
    return stream;
  }
}

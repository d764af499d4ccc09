import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';

export interface SseStreamOptions {
  /** `chat` or `billing`: metric label and log field. */
  name: string;
  /** Exact Content-Type (chat: `text/event-stream`; billing: `text/event-stream; charset=utf-8`). */
  contentType: string;
  /** Comment keep-alive after this many seconds of silence. */
  pingSeconds: number;
  logger: Logger;
  activeStreams: Gauge<'stream'>;
}

export type SseEndReason = 'completed' | 'client_closed' | 'shutdown' | 'error';

/**
 * A Server-Sent Events response written by hand on the Express response (after guards and
 * validation ran, so pre-stream errors are still normal JSON): frames are `data: <json>\n\n`,
 * `: ping` comments keep proxies from timing out, writes respect backpressure, and a client
 * disconnect aborts `signal` so the producer (model run, Redis read) stops.
 */
export class SseStream {
  private readonly controller = new AbortController();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private lastWriteAt = Date.now();
  private framesSent = 0;
  private corked = false;
  private endReason?: SseEndReason;

  private constructor(
    private readonly request: Request,
    private readonly response: Response,
    private readonly options: SseStreamOptions,
  ) {
    response.status(200);
    response.setHeader('Content-Type', options.contentType);
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.socket?.setNoDelay(true);
    options.activeStreams.inc({ stream: options.name });
    options.logger.info(
      { event: 'sse.start', stream: options.name, path: request.path },
      'SSE stream started',
    );

    response.on('close', () => {
      if (!this.endReason) this.finish(response.writableFinished ? 'completed' : 'client_closed');
    });
    this.pingTimer = setInterval(
      () => this.pingIfIdle(),
      Math.min(options.pingSeconds * 1000, 1000),
    );
    this.pingTimer.unref();
  }

  static open(request: Request, response: Response, options: SseStreamOptions): SseStream {
    return new SseStream(request, response, options);
  }

  /** Aborted when the client goes away or the stream ends; pass it to the producer. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.endReason !== undefined;
  }

  /** Writes one `data:` frame (the payload must be single-line JSON) and waits out backpressure. */
  async send(json: string): Promise<void> {
    if (this.closed) return;
    this.framesSent += 1;
    await this.write(`data: ${json}\n\n`);
  }

  async comment(text: string): Promise<void> {
    if (this.closed) return;
    await this.write(`: ${text}\n\n`);
  }

  end(reason: SseEndReason = 'completed'): void {
    if (this.closed) return;
    this.finish(reason);
    this.response.end();
  }

  private async write(chunk: string): Promise<void> {
    this.lastWriteAt = Date.now();
    this.corkUntilNextTick();
    if (this.response.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.once('drain', done);
      this.response.once('close', done);
    });
  }

  /**
   * Frames written in the same turn of the event loop (several model deltas parsed from one
   * upstream packet) leave in one socket write instead of one syscall each; the first frame
   * still goes out before the next I/O, so time to first byte is unchanged.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.response.cork();
    process.nextTick(() => {
      this.corked = false;
      this.response.uncork();
    });
  }

  private pingIfIdle(): void {
    if (this.closed) return;
    if (Date.now() - this.lastWriteAt >= this.options.pingSeconds * 1000) void this.comment('ping');
  }

  private finish(reason: SseEndReason): void {
    this.endReason = reason;
    clearInterval(this.pingTimer);
    this.controller.abort();
    this.options.activeStreams.dec({ stream: this.options.name });
    this.options.logger.info(
      {
        event: 'sse.end',
        stream: this.options.name,
        path: this.request.path,
        end_reason: reason,
        frames_sent: this.framesSent,
        duration_ms: Math.round(performance.now() - this.startedAt),
      },
      'SSE stream ended',
    );
  }
}

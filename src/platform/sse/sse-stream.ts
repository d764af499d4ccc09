import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { StallDetector } from './stall-detector';

export interface SseStreamOptions {
  /** `chat` or `billing`: metric label and log field. */
  name: string;
  /** Exact Content-Type (chat: `text/event-stream`; billing: `text/event-stream; charset=utf-8`). */
  contentType: string;
  /** Comment keep-alive after this many seconds of silence. */
  pingSeconds: number;
  /** Write buffer (bytes not yet taken by the socket) beyond which the producer waits. */
  maxBufferedBytes: number;
  /** Over the buffer bound this long: the client stopped reading, the stream is closed. */
  stallTimeoutMs: number;
  logger: Logger;
  activeStreams: Gauge<'stream'>;
  /** Streams the server closed on its own (`evicted`, `stalled`). */
  terminations: Counter<'stream' | 'reason'>;
}

/** Longest the response headers wait for the first frame to share their write. */
const HEADER_HOLD_MS = 10;

export type SseEndReason =
  | 'completed'
  | 'client_closed'
  | 'shutdown'
  | 'error'
  /** A newer stream of the same holder took this one's concurrency slot. */
  | 'evicted'
  /** The client stopped reading (write buffer over the bound for the stall timeout). */
  | 'stalled';

/**
 * A Server-Sent Events response written by hand on the Express response (after guards and
 * validation ran, so pre-stream errors are still normal JSON): frames are `data: <json>\n\n`,
 * `: ping` comments keep proxies from timing out, and a client disconnect aborts `signal` so
 * the producer (model run, Redis read) stops.
 *
 * Backpressure: writes return at once while the bytes waiting for the socket stay within
 * `maxBufferedBytes`; beyond it `send` waits until the buffer is back under the bound. If it
 * stays over the bound for `stallTimeoutMs` (a client, or a proxy, that no longer reads), the
 * connection is destroyed and the stream ends as `stalled`, which aborts `signal` like a
 * disconnect. Memory per stream is therefore bounded by the bound plus one frame.
 */
export class SseStream {
  private readonly controller = new AbortController();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private readonly backlog: StallDetector;
  private lastWriteAt = Date.now();
  private framesSent = 0;
  private corked = false;
  private headerHold?: NodeJS.Timeout;
  private endReason?: SseEndReason;
  /** Writers waiting for the buffer to come back under the bound. */
  private waiters: (() => void)[] = [];
  private watchdog?: NodeJS.Timeout;
  private maxBuffered = 0;

  private constructor(
    private readonly request: Request,
    private readonly response: Response,
    private readonly options: SseStreamOptions,
  ) {
    this.backlog = new StallDetector(options.maxBufferedBytes, options.stallTimeoutMs);
    response.status(200);
    response.setHeader('Content-Type', options.contentType);
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('X-Accel-Buffering', 'no');
    response.socket?.setNoDelay(true);
    // The headers wait (corked) for the first frame, briefly, so a fast first frame leaves with
    // them in one write instead of two; a slow producer still sends them after HEADER_HOLD_MS.
    this.corked = true;
    response.cork();
    response.flushHeaders();
    this.headerHold = setTimeout(() => {
      this.headerHold = undefined;
      this.uncorkNow();
    }, HEADER_HOLD_MS);
    this.headerHold.unref();
    options.activeStreams.inc({ stream: options.name });
    options.logger.info(
      { event: 'sse.start', stream: options.name, path: request.path },
      'SSE stream started',
    );

    response.on('close', () => {
      if (!this.endReason) this.finish(response.writableFinished ? 'completed' : 'client_closed');
    });
    response.on('drain', () => this.checkBacklog());
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
    this.uncorkNow();
    this.response.end();
  }

  /**
   * Ends the stream from the server side: a last comment frame (`: <finalComment>`), the end of
   * the response, and the connection closed rather than kept alive for another request. A
   * client that does not take those bytes within the stall timeout has its socket destroyed.
   */
  terminate(reason: 'evicted', finalComment: string): void {
    if (this.closed) return;
    const socket = this.response.socket;
    this.response.write(`: ${finalComment}\n\n`);
    this.finish(reason);
    this.uncorkNow();
    this.response.end();
    if (!socket || socket.destroyed) return;
    const hardStop = setTimeout(() => socket.destroy(), this.options.stallTimeoutMs);
    hardStop.unref();
    socket.once('close', () => clearTimeout(hardStop));
    this.response.once('finish', () => socket.end());
  }

  private async write(chunk: string): Promise<void> {
    this.lastWriteAt = Date.now();
    this.corkUntilNextTick();
    this.response.write(chunk);
    if (this.observeBacklog() === 'flowing') return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.armWatchdog();
    });
  }

  private observeBacklog(): 'flowing' | 'backlogged' | 'stalled' {
    const buffered = this.response.writableLength;
    if (buffered > this.maxBuffered) this.maxBuffered = buffered;
    return this.backlog.observe(buffered, Date.now());
  }

  /**
   * While writers wait: re-checks the buffer soon after the corked bytes reached the socket and
   * then periodically (`drain` also wakes it, but only fires once the socket buffer is empty).
   */
  private armWatchdog(): void {
    if (this.watchdog || this.closed) return;
    setImmediate(() => this.checkBacklog());
    const every = Math.max(10, Math.min(1000, this.options.stallTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkBacklog(), every);
    this.watchdog.unref();
  }

  private checkBacklog(): void {
    if (this.closed || this.waiters.length === 0) return;
    const state = this.observeBacklog();
    if (state === 'flowing') this.releaseWaiters();
    else if (state === 'stalled') this.stall();
  }

  private releaseWaiters(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private stall(): void {
    this.options.logger.warn(
      {
        event: 'sse.stalled',
        stream: this.options.name,
        path: this.request.path,
        buffered_bytes: this.response.writableLength,
        backlogged_ms: this.backlog.backloggedFor(Date.now()),
      },
      'SSE client stopped reading; closing the stream',
    );
    this.finish('stalled');
    this.response.destroy();
  }

  /**
   * Frames written in the same turn of the event loop (several model deltas parsed from one
   * upstream packet) leave in one socket write instead of one syscall each; the first frame
   * still goes out before the next I/O, so time to first byte is unchanged.
   */
  private corkUntilNextTick(): void {
    if (this.headerHold) {
      // Corked since the headers: the first frame joins them and both leave this tick.
      clearTimeout(this.headerHold);
      this.headerHold = undefined;
      process.nextTick(() => this.uncorkNow());
      return;
    }
    if (this.corked) return;
    this.corked = true;
    this.response.cork();
    process.nextTick(() => this.uncorkNow());
  }

  /**
   * Releases the cork before `end()`: on Node 22 a response ended while corked sends only its
   * first corked write, silently dropping the frames after it (Node 20 sends them all).
   */
  private uncorkNow(): void {
    if (this.headerHold) {
      clearTimeout(this.headerHold);
      this.headerHold = undefined;
    }
    if (!this.corked) return;
    this.corked = false;
    this.response.uncork();
  }

  private pingIfIdle(): void {
    // A backlogged stream is not idle: its client has bytes it has not read yet.
    if (this.closed || this.waiters.length > 0) return;
    if (Date.now() - this.lastWriteAt >= this.options.pingSeconds * 1000) void this.comment('ping');
  }

  private finish(reason: SseEndReason): void {
    this.endReason = reason;
    clearInterval(this.pingTimer);
    this.releaseWaiters();
    this.controller.abort();
    this.options.activeStreams.dec({ stream: this.options.name });
    if (reason === 'evicted' || reason === 'stalled') {
      this.options.terminations.inc({ stream: this.options.name, reason });
    }
    this.options.logger.info(
      {
        event: 'sse.end',
        stream: this.options.name,
        path: this.request.path,
        end_reason: reason,
        frames_sent: this.framesSent,
        buffered_bytes_max: this.maxBuffered,
        duration_ms: Math.round(performance.now() - this.startedAt),
      },
      'SSE stream ended',
    );
  }
}

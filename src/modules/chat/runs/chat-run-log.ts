import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { ChatRunKeys } from './chat-run-keys';

/**
 * How long frames wait to be written: a resumed stream follows the run this far behind, and a
 * reply streamed in many small deltas costs one Redis write per interval instead of one per delta.
 */
export const FLUSH_INTERVAL_MS = 25;

/**
 * The write side of a run's frame log (docs/chat-runs.md): frames are appended as they are sent to
 * the client and written to a Redis stream once per event-loop turn, all frames of that turn in one
 * entry whose id is `0-<last event id>`, so a reader after event `n` asks for ids above `0-n`.
 * Writing never delays the client's frame (TTFC): nothing here is awaited on the send path, and
 * commands on one connection keep their order. A failed write is reported, not thrown: the live
 * stream goes on, only a resume could miss frames.
 */
export class RunEventLog {
  private pending: string[] = [];
  private firstPending = 0;
  private scheduled = false;
  private expirySet = false;
  private lastWritten = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    runId: string,
    private readonly runningTtlSeconds: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.key = ChatRunKeys.events(runId);
  }

  /** Queues frame `eventId` (ids are consecutive, starting at 1). */
  append(eventId: number, frame: string): void {
    if (this.pending.length === 0) this.firstPending = eventId;
    this.pending.push(frame);
    if (this.scheduled) return;
    this.scheduled = true;
    const timer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    timer.unref();
  }

  /**
   * Writes what is queued with the end marker, plus `extra` commands (the record's final state)
   * in the same round trip; resolves once written (or failed).
   */
  close(retentionSeconds: number, extra: (pipeline: ChainableCommander) => void): Promise<void> {
    return this.flush({ retentionSeconds, extra });
  }

  private flush(end?: {
    retentionSeconds: number;
    extra: (pipeline: ChainableCommander) => void;
  }): Promise<void> {
    this.scheduled = false;
    const frames = this.pending;
    this.pending = [];
    if (frames.length === 0 && !end) return this.chain;
    const pipeline = this.redis.pipeline();
    if (frames.length > 0) {
      const last = this.firstPending + frames.length - 1;
      const fields = ['n', String(this.firstPending), 'd', frames.join('\n')];
      if (end) fields.push('end', '1');
      pipeline.xadd(this.key, `${last}-0`, ...fields);
      this.lastWritten = last;
    } else if (end && this.lastWritten > 0) {
      // The last frames went out in an earlier entry: the end marker gets an entry of its own.
      pipeline.xadd(
        this.key,
        `${this.lastWritten}-1`,
        'n',
        String(this.lastWritten + 1),
        'end',
        '1',
      );
    }
    if (end) pipeline.expire(this.key, end.retentionSeconds);
    else if (!this.expirySet) pipeline.expire(this.key, this.runningTtlSeconds);
    this.expirySet = true;
    end?.extra(pipeline);
    const written = pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error);
        if (failed) this.onError(failed[0]);
      },
      (error: unknown) => this.onError(error),
    );
    this.chain = this.chain.then(() => written);
    return this.chain;
  }
}

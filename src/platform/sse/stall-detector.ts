/** `flowing`: at or under the bound; `backlogged`: over it; `stalled`: over it for too long. */
export type BacklogState = 'flowing' | 'backlogged' | 'stalled';

/**
 * Decides when a stream's client has stopped reading: its write buffer stays beyond
 * `maxBufferedBytes` for `timeoutMs` without once coming back under the bound. A client that
 * reads slowly keeps dipping under the bound and is never stalled; memory per stream stays at
 * the bound plus one frame because the producer waits while backlogged.
 */
export class StallDetector {
  private overSince: number | null = null;

  constructor(
    readonly maxBufferedBytes: number,
    readonly timeoutMs: number,
  ) {}

  observe(bufferedBytes: number, nowMs: number): BacklogState {
    if (bufferedBytes <= this.maxBufferedBytes) {
      this.overSince = null;
      return 'flowing';
    }
    this.overSince ??= nowMs;
    return nowMs - this.overSince >= this.timeoutMs ? 'stalled' : 'backlogged';
  }

  /** Milliseconds spent over the bound so far (0 when flowing). */
  backloggedFor(nowMs: number): number {
    return this.overSince === null ? 0 : nowMs - this.overSince;
  }
}

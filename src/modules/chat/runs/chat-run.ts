import type Redis from 'ioredis';
import type { ChatFrames } from '../chat-frames';
import { RUN_CANCELLED } from '../chat-turn';
import { ChatRunKeys, type RunState } from './chat-run-keys';
import type { RunEventLog } from './chat-run-log';

/** How often a detached run looks for a resumed stream keeping it alive. */
export const WATCH_RECHECK_MS = 2000;

export interface ChatRunSettings {
  resumeGraceSeconds: number;
  retentionSeconds: number;
}

/**
 * One turn in flight on this replica (docs/chat-runs.md): its cancel signal (a cancel request, from
 * any replica, aborts it with reason RUN_CANCELLED), its frame log and its detached life. A
 * streamed run whose client dropped keeps going for the resume grace; it stops then unless a
 * resumed stream (on any replica) is watching it, in which case it looks again every few seconds.
 */
export class ChatRun {
  /** Writes the run's record now if it is not written yet (set by the registry). */
  beforeFinish: () => void = () => undefined;
  private readonly controller = new AbortController();
  private detachTimer?: NodeJS.Timeout;
  private finished = false;

  constructor(
    readonly runId: string,
    private readonly redis: Redis,
    private readonly log: RunEventLog | null,
    private readonly settings: ChatRunSettings,
    private readonly onFinished: (run: ChatRun) => void,
  ) {}

  /** Aborted by a cancel request (reason RUN_CANCELLED) or a stop after the grace. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    this.controller.abort(RUN_CANCELLED);
  }

  /** Sends-and-logs helper: the frame goes to the log under its event id. */
  logged(frames: ChatFrames, frame: string): string {
    this.log?.append(frames.lastEventId, frame);
    return frame;
  }

  /** The client dropped: stop at once without a grace, else after it unless someone resumed. */
  detach(stop: () => void): void {
    if (this.finished) return;
    const grace = this.settings.resumeGraceSeconds;
    if (grace === 0) return stop();
    const check = async (): Promise<void> => {
      if (this.finished) return;
      const watched = await this.redis.exists(ChatRunKeys.watch(this.runId)).catch(() => 0);
      if (this.finished) return;
      if (watched) this.arm(check, WATCH_RECHECK_MS);
      else stop();
    };
    this.arm(check, grace * 1000);
  }

  /** Writes the final state (with the last frames) and forgets the run locally. */
  async finish(state: RunState, messageId: number | null, lastEventId: number): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.detachTimer);
    this.beforeFinish();
    this.onFinished(this);
    const retention = this.settings.retentionSeconds;
    const fields = {
      state,
      message_id: messageId === null ? '' : String(messageId),
      last_event_id: String(lastEventId),
      ended_at: new Date().toISOString(),
    };
    const record = ChatRunKeys.record(this.runId);
    if (this.log) {
      await this.log.close(retention, (pipeline) =>
        pipeline.hset(record, fields).expire(record, retention),
      );
      return;
    }
    await this.redis
      .pipeline()
      .hset(record, fields)
      .expire(record, retention)
      .exec()
      .catch(() => undefined);
  }

  private arm(check: () => Promise<void>, ms: number): void {
    this.detachTimer = setTimeout(() => void check(), ms);
    this.detachTimer.unref();
  }
}

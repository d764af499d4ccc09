import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisService } from '../../../platform/redis/redis.service';
import { SseService } from '../../../platform/sse';
import type { SseStream } from '../../../platform/sse/sse-stream';
import type { ConversationOwner } from '../../conversations';
import { ChatRunNotFoundException, ChatRunNotStreamedException } from '../chat.errors';
import type { ChatExchange } from '../chat-stream.service';
import { ChatRunKeys, isFinalState } from './chat-run-keys';
import { ChatRunRegistry, type RunRecord } from './chat-run-registry.service';
import type { ChatRunView } from '../dto/chat-run-view.dto';

/** How long a cancel request waits for the run to stop before answering 202. */
const CANCEL_WAIT_MS = 3000;
const CANCEL_POLL_MS = 20;
/** A resumed stream's watch key lives this long and is refreshed at a third of it. */
const WATCH_TTL_MS = 6000;
/** One blocking read (real Redis) or the poll interval (in-process Redis). */
const BLOCK_MS = 2000;
const POLL_MS = 50;

type RawEntry = [id: string, fields: string[]];

/** What one stored entry holds: its frames with their event ids, and whether it is the last. */
function framesOf(entry: RawEntry): { first: number; frames: string[]; end: boolean } {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < entry[1].length; i += 2) fields.set(entry[1][i], entry[1][i + 1]);
  const data = fields.get('d');
  return {
    first: Number(fields.get('n') ?? '0'),
    frames: data ? data.split('\n') : [],
    end: fields.get('end') === '1',
  };
}

function viewOf(runId: string, record: RunRecord, state = record.state): ChatRunView {
  return {
    run_id: runId,
    conversation_id: record.conversation_id,
    status: state === 'running' ? 'cancelling' : state,
    message_id: record.message_id ? Number(record.message_id) : null,
  };
}

/**
 * Cancel and resume of chat runs from any replica (decision C11, docs/chat-runs.md). A run is
 * only ever visible to its owner; everyone else gets 404 `run_not_found`.
 */
@Injectable()
export class ChatRunsService {
  constructor(
    private readonly registry: ChatRunRegistry,
    private readonly redis: RedisService,
    private readonly sse: SseService,
  ) {}

  /**
   * Stops the run (its replica aborts it, stores the partial reply and ends its stream with a
   * `cancelled` frame) and waits briefly for that. `stopped` is false when it was still stopping
   * when the wait ended (202).
   */
  async cancel(
    owner: ConversationOwner,
    runId: string,
  ): Promise<{ view: ChatRunView; stopped: boolean }> {
    const record = await this.registry.recordOf(owner, runId);
    if (!record) throw new ChatRunNotFoundException();
    if (isFinalState(record.state)) return { view: viewOf(runId, record), stopped: true };
    await this.registry.requestCancel(runId);
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
      const state = await this.registry.stateOf(runId);
      if (isFinalState(state ?? undefined)) {
        const ended = (await this.registry.recordOf(owner, runId)) ?? record;
        return { view: viewOf(runId, ended), stopped: true };
      }
    }
    return { view: viewOf(runId, record, 'running'), stopped: false };
  }

  /**
   * `GET /chat/runs/{id}/stream`: the run's frames after `after`, as they were sent, then its live
   * frames until its last one (or the client leaves). While it is served, the run's watch key
   * keeps a run whose original client dropped from being stopped.
   */
  async resume(
    owner: ConversationOwner,
    runId: string,
    after: number,
    http: ChatExchange,
  ): Promise<void> {
    const record = await this.registry.recordOf(owner, runId);
    if (!record) throw new ChatRunNotFoundException();
    if (record.mode !== 'stream') throw new ChatRunNotStreamedException();
    const stream = this.sse.open(http.request, http.response, {
      name: 'chat',
      contentType: 'text/event-stream',
    });
    const client = this.redis.client;
    const watchKey = ChatRunKeys.watch(runId);
    const watch = () =>
      void client.set(watchKey, this.registry.replica, 'PX', WATCH_TTL_MS).catch(() => undefined);
    watch();
    const refresh = setInterval(watch, WATCH_TTL_MS / 3);
    refresh.unref();
    const reader = this.redis.embedded ? null : this.redis.createConnection('chat-run-resume');
    const stop = () => reader?.disconnect();
    stream.signal.addEventListener('abort', stop, { once: true });
    try {
      await this.follow(runId, after, stream, reader);
    } catch (error) {
      // A read cut short by the client leaving is the normal end; anything else ends the stream.
      if (!stream.closed) throw error;
    } finally {
      clearInterval(refresh);
      stream.signal.removeEventListener('abort', stop);
      reader?.disconnect();
      stream.end('completed');
    }
  }

  /**
   * Every frame a finished run logged, in order, when its log is still retained whole (it has
   * its end marker); null otherwise.
   */
  async framesOf(runId: string): Promise<string[] | null> {
    const entries = await this.read(ChatRunKeys.events(runId), 0, null).catch(() => []);
    const frames: string[] = [];
    for (const entry of entries) {
      const stored = framesOf(entry);
      if (stored.first !== frames.length + 1 && stored.frames.length > 0) return null;
      frames.push(...stored.frames);
      if (stored.end) return frames;
    }
    return null;
  }

  private async follow(
    runId: string,
    after: number,
    stream: SseStream,
    reader: Redis | null,
  ): Promise<void> {
    const key = ChatRunKeys.events(runId);
    let last = after;
    let finalSeen = false;
    while (!stream.closed) {
      // After the run ended, one last read that does not block picks up its final entries.
      const entries = await this.read(key, last, finalSeen ? null : reader);
      for (const entry of entries) {
        const { first, frames, end } = framesOf(entry);
        for (let i = 0; i < frames.length; i += 1) {
          const eventId = first + i;
          if (eventId <= last) continue;
          await stream.send(frames[i]);
          last = eventId;
        }
        if (end) return;
      }
      if (entries.length > 0) continue;
      // Nothing new: a run that ended (or expired) without an end marker has nothing more to say,
      // after one last read for frames written with its final state.
      if (finalSeen) return;
      finalSeen = isFinalState((await this.registry.stateOf(runId)) ?? 'expired');
      if (!finalSeen && reader === null) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Entries after event `last`: a blocking read on real Redis, a range read in-process. */
  private async read(key: string, last: number, reader: Redis | null): Promise<RawEntry[]> {
    if (reader === null) {
      // The whole range, filtered here: the in-process Redis does not take range bounds reliably.
      const all = (await this.redis.client.xrange(key, '-', '+')) as RawEntry[];
      return all.filter(([id]) => {
        const [major, minor] = id.split('-').map(Number);
        return major > last || (major === last && minor > 0);
      });
    }
    const reply = await reader.xread('BLOCK', BLOCK_MS, 'STREAMS', key, `${last}-0`);
    return reply?.[0]?.[1] ?? [];
  }
}

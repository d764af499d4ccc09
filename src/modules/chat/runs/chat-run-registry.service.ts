import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { isUuid } from '../../../platform/ids';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import type { ConversationOwner } from '../../conversations';
import type { TurnMode, TurnPlan } from '../chat-turn';
import { ChatRun, type ChatRunSettings } from './chat-run';
import { ChatRunKeys } from './chat-run-keys';
import { RunEventLog } from './chat-run-log';

/** A running run's record outlives the longest turn by this much before Redis drops it anyway. */
const RUNNING_EXTRA_TTL_SECONDS = 3600;

/** A run's record as stored (every field a string; `message_id` empty when nothing was stored). */
export interface RunRecord {
  tenant_id: string;
  user_id: string;
  conversation_id: string;
  mode: TurnMode;
  state: string;
  replica: string;
  started_at: string;
  message_id?: string;
  last_event_id?: string;
  ended_at?: string;
}

/**
 * Every chat run of this replica, and the Redis record each one leaves for the others (decision
 * C11, docs/chat-runs.md): who owns it, where it runs, its state. A cancel request published on the
 * cancel channel reaches the replica running the run, which aborts it.
 */
@Injectable()
export class ChatRunRegistry implements OnModuleInit, OnApplicationShutdown {
  /** Identifies this process in run records (which replica a run is on). */
  readonly replica = randomUUID();
  private readonly local = new Map<string, ChatRun>();
  private readonly log: Logger;
  private readonly settings: ChatRunSettings;
  private subscriber?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('chat.runs');
    this.settings = {
      resumeGraceSeconds: config.CHAT_STREAM_RESUME_GRACE_SECONDS,
      retentionSeconds: config.CHAT_RUN_RETENTION_SECONDS,
    };
  }

  /** Channel names are not prefixed by the client (only keys are), so the prefix is added here. */
  get cancelChannel(): string {
    return `${this.config.REDIS_KEY_PREFIX}${ChatRunKeys.cancelChannel}`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.createConnection('chat-run-cancellations');
    this.subscriber.on('message', (_channel: string, runId: string) => this.cancelLocal(runId));
    await this.subscriber.subscribe(this.cancelChannel).catch((error: unknown) => {
      this.log.warn(
        { err: error },
        'Chat run cancel channel unavailable; cancels reach local runs only',
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.unsubscribe().catch(() => undefined);
  }

  /**
   * Registers a run before its first byte is served; the record is written without waiting.
   * Only streams keep a frame log.
   */
  open(plan: TurnPlan, mode: TurnMode): ChatRun {
    const client = this.redis.client;
    const runningTtl = this.settings.retentionSeconds + RUNNING_EXTRA_TTL_SECONDS;
    const log =
      mode === 'stream'
        ? new RunEventLog(client, plan.runId, runningTtl, (error) =>
            this.log.warn({ err: error, run_id: plan.runId }, 'Chat run frames not stored'),
          )
        : null;
    const run = new ChatRun(plan.runId, client, log, this.settings, (done) =>
      this.local.delete(done.runId),
    );
    this.local.set(plan.runId, run);
    const record: RunRecord = {
      tenant_id: plan.owner.tenantId,
      user_id: plan.owner.userId,
      conversation_id: plan.publicId,
      mode,
      state: 'running',
      replica: this.replica,
      started_at: new Date().toISOString(),
    };
    const key = ChatRunKeys.record(plan.runId);
    // Written after the current turn of the event loop: by then the model request is on its way
    // (time to first chunk), and still long before a client could send a cancel for the id it is
    // only now being told. Commands on one connection keep their order, so the frame log and the
    // final state written later land after it.
    let pending: NodeJS.Immediate | undefined = setImmediate(() => register());
    const register = () => {
      if (!pending) return;
      clearImmediate(pending);
      pending = undefined;
      client
        .pipeline()
        .hset(key, { ...record })
        .expire(key, runningTtl)
        .exec()
        .catch((error: unknown) =>
          this.log.warn({ err: error, run_id: plan.runId }, 'Chat run not registered'),
        );
    };
    run.beforeFinish = register;
    return run;
  }

  /** The run's record when it exists and belongs to `owner` (anything else reads as absent). */
  async recordOf(owner: ConversationOwner, runId: string): Promise<RunRecord | null> {
    if (!isUuid(runId)) return null;
    const record = (await this.redis.client.hgetall(
      ChatRunKeys.record(runId),
    )) as Partial<RunRecord>;
    if (!record.state || record.tenant_id !== owner.tenantId || record.user_id !== owner.userId) {
      return null;
    }
    return record as RunRecord;
  }

  async stateOf(runId: string): Promise<string | null> {
    return this.redis.client.hget(ChatRunKeys.record(runId), 'state');
  }

  /** Cancels the run wherever it runs: at once when it is here, else over the channel. */
  async requestCancel(runId: string): Promise<void> {
    if (this.cancelLocal(runId)) return;
    await this.redis.client.publish(this.cancelChannel, runId);
  }

  private cancelLocal(runId: string): boolean {
    const run = this.local.get(runId);
    if (!run) return false;
    this.log.info({ run_id: runId }, 'Chat run cancelled');
    run.cancel();
    return true;
  }
}

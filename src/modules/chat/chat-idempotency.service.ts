import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../platform/config/app-config';
import { RequestValidationException } from '../../platform/http/validation/request-validation.exception';
import type { ValidationIssue } from '../../platform/http/validation/validation-issue';
import { LoggerFactory } from '../../platform/observability/logger.factory';
import { RedisService } from '../../platform/redis/redis.service';
import type { Principal } from '../auth';
import { ChatIdempotencyKeyReusedException, ChatRequestInProgressException } from './chat.errors';
import type { TurnPlan, TurnResult } from './chat-turn';
import type { AgentChatResponse } from './dto/agent-chat-response.dto';

/** Longest accepted key, body or header (same cap as billing's `Idempotency-Key`). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
/** Printable ASCII, space included. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]+$/;
/** The response header of a replayed send. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/**
 * Lifetime of a `running` record: a server that dies mid-turn leaves no key locked for the whole
 * window; a turn still running after it simply loses its protection against a duplicate.
 */
const RUNNING_TTL_SECONDS = 600;

export type IdempotentMode = 'sync' | 'stream';

/** What a completed stream sent: its chunks (merged per agent) and its final frame's fields. */
export interface StoredStream {
  conversationId: string;
  /** The run that produced it (replayed frames carry its id). */
  runId: string;
  segments: { agent: string; text: string }[];
  final: Pick<TurnResult, 'agentUsed' | 'usage' | 'messageId'>;
}

interface RunningRecord {
  state: 'running';
  fingerprint: string;
  mode: IdempotentMode;
  runId: string;
}

interface CompletedRecord {
  state: 'completed';
  fingerprint: string;
  mode: IdempotentMode;
  runId: string;
  body?: AgentChatResponse;
  stream?: StoredStream;
}

type IdempotencyRecord = RunningRecord | CompletedRecord;

/** The earlier answer of a send with this key. */
export interface Replay {
  body?: AgentChatResponse;
  stream?: StoredStream;
}

/** This request owns the key: store its answer when it completed, release it otherwise. */
export interface IdempotencyClaim {
  complete(answer: Replay): Promise<void>;
  release(): Promise<void>;
}

export type Admission = { replay: Replay } | { claim: IdempotencyClaim };

/**
 * Idempotent chat sends (decision C9, docs/chat-idempotency.md): a `client_message_id` (body) or
 * `Idempotency-Key` (header) names one send per (tenant, user). The first request claims the key in
 * Redis (`SET NX`) before any quota or model work; a retry while it runs is 409
 * `request_in_progress`, a retry after it completed replays the stored answer, the same key with
 * another request is 422 `idempotency_key_reused`. A failed or interrupted turn releases the key.
 * Redis being unreachable fails open: the send runs without protection (like the rate limits, C6).
 */
@Injectable()
export class ChatIdempotency {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('chat');
  }

  /** The request's key, or null without one; 422 for a malformed key or body/header mismatch. */
  keyOf(bodyKey: string | null | undefined, headerKey: string | undefined): string | null {
    const issues: ValidationIssue[] = [];
    if (bodyKey != null) issues.push(...keyIssues(bodyKey, ['body', 'client_message_id']));
    if (headerKey !== undefined)
      issues.push(...keyIssues(headerKey, ['header', 'idempotency-key']));
    if (
      issues.length === 0 &&
      bodyKey != null &&
      headerKey !== undefined &&
      bodyKey !== headerKey
    ) {
      issues.push({
        type: 'value_error',
        loc: ['header', 'idempotency-key'],
        msg: 'Value error, Idempotency-Key must equal client_message_id when both are sent.',
        input: headerKey,
        ctx: { error: 'Idempotency-Key must equal client_message_id when both are sent.' },
      });
    }
    if (issues.length > 0) throw new RequestValidationException(issues);
    return bodyKey ?? headerKey ?? null;
  }

  /**
   * Claims `key` for this send, or answers from its record: the stored replay, 409 while it runs,
   * 422 when it named another request.
   */
  async admit(
    principal: Principal,
    key: string,
    plan: TurnPlan,
    conversationId: string | null,
    mode: IdempotentMode,
  ): Promise<Admission> {
    const redisKey = this.redisKey(principal, key);
    const fingerprint = fingerprintOf(plan.message, conversationId, plan.entryAgent);
    const running: RunningRecord = { state: 'running', fingerprint, mode, runId: plan.runId };
    let stored: string | null;
    try {
      const set = await this.redis.client.set(
        redisKey,
        JSON.stringify(running),
        'EX',
        Math.min(RUNNING_TTL_SECONDS, this.window()),
        'NX',
      );
      if (set === 'OK') return { claim: this.claim(redisKey, running) };
      stored = await this.redis.client.get(redisKey);
    } catch (error) {
      this.log.warn({ err: error }, 'Chat idempotency store unavailable; send not deduplicated');
      return { claim: NO_CLAIM };
    }
    // Expired or released between SET and GET: try once more (a second miss runs unprotected).
    if (stored === null) return this.admitOnce(redisKey, running);
    return this.answer(JSON.parse(stored) as IdempotencyRecord, fingerprint, mode);
  }

  private async admitOnce(redisKey: string, running: RunningRecord): Promise<Admission> {
    try {
      const window = Math.min(RUNNING_TTL_SECONDS, this.window());
      const set = await this.redis.client.set(
        redisKey,
        JSON.stringify(running),
        'EX',
        window,
        'NX',
      );
      if (set === 'OK') return { claim: this.claim(redisKey, running) };
    } catch (error) {
      this.log.warn({ err: error }, 'Chat idempotency store unavailable; send not deduplicated');
    }
    return { claim: NO_CLAIM };
  }

  private answer(record: IdempotencyRecord, fingerprint: string, mode: IdempotentMode): Admission {
    if (record.fingerprint !== fingerprint || record.mode !== mode) {
      throw new ChatIdempotencyKeyReusedException();
    }
    if (record.state === 'running') throw new ChatRequestInProgressException();
    // Records stored before streams carried run ids have the run id only at the top.
    const stream = record.stream && {
      ...record.stream,
      runId: record.stream.runId ?? record.runId,
    };
    return { replay: { body: record.body, stream } };
  }

  private claim(redisKey: string, running: RunningRecord): IdempotencyClaim {
    const mine = async (): Promise<boolean> => {
      const current = await this.redis.client.get(redisKey);
      if (current === null) return false;
      return (JSON.parse(current) as IdempotencyRecord).runId === running.runId;
    };
    return {
      complete: async (answer) => {
        const record: CompletedRecord = { ...running, state: 'completed', ...answer };
        try {
          if (await mine()) {
            await this.redis.client.set(redisKey, JSON.stringify(record), 'EX', this.window());
          }
        } catch (error) {
          this.log.warn({ err: error }, 'Chat idempotency record not stored');
        }
      },
      release: async () => {
        try {
          if (await mine()) await this.redis.client.del(redisKey);
        } catch (error) {
          this.log.warn({ err: error }, 'Chat idempotency key not released');
        }
      },
    };
  }

  private window(): number {
    return Math.max(1, this.config.CHAT_IDEMPOTENCY_WINDOW_SECONDS);
  }

  private redisKey(principal: Principal, key: string): string {
    const digest = createHash('sha256').update(key).digest('hex');
    return `chat:idempotency:${principal.tenantId ?? 'unknown'}:${principal.userId ?? principal.subject}:${digest}`;
  }
}

/** A claim that stores nothing (no key sent, or Redis unreachable). */
export const NO_CLAIM: IdempotencyClaim = {
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
};

function fingerprintOf(message: string, conversationId: string | null, agent: string): string {
  return createHash('sha256')
    .update(JSON.stringify([message, conversationId, agent]))
    .digest('hex');
}

function keyIssues(key: string, loc: string[]): ValidationIssue[] {
  if (key.length === 0) {
    return [
      {
        type: 'string_too_short',
        loc,
        msg: 'String should have at least 1 character',
        input: key,
        ctx: { min_length: 1 },
      },
    ];
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return [
      {
        type: 'string_too_long',
        loc,
        msg: `String should have at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
        input: `${key.slice(0, 32)}...`,
        ctx: { max_length: MAX_IDEMPOTENCY_KEY_LENGTH },
      },
    ];
  }
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    return [
      {
        type: 'string_pattern_mismatch',
        loc,
        msg: `String should match pattern '${IDEMPOTENCY_KEY_PATTERN.source}'`,
        input: key.slice(0, 32),
        ctx: { pattern: IDEMPOTENCY_KEY_PATTERN.source },
      },
    ];
  }
  return [];
}

import { MaxTurnsExceededError, ModelBehaviorError } from '@openai/agents';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { AppException } from '../../platform/http/app-exception';
import { isoZ } from '../../platform/time/iso';

/**
 * Stable codes of chat failures: the envelope `code` of `POST /api/v1/chat`, the SSE error frame's
 * `code`.
 */
export enum ChatErrorCode {
  ModelError = 'model_error',
  ModelUnavailable = 'model_unavailable',
  ModelTimeout = 'model_timeout',
  ModelRateLimited = 'model_rate_limited',
  MaxTurnsExceeded = 'max_turns_exceeded',
  PersistenceFailed = 'persistence_failed',
  ServerShuttingDown = 'server_shutting_down',
  Internal = 'internal_error',
}

/**
 * Generic texts: the details go to the log, never to the client (the replaced service sent internal
 * exception text; decision C4).
 */
const REASONS: Record<ChatErrorCode, string> = {
  [ChatErrorCode.ModelError]: 'the model provider returned an error.',
  [ChatErrorCode.ModelUnavailable]: 'the model provider could not be reached.',
  [ChatErrorCode.ModelTimeout]: 'the model provider timed out.',
  [ChatErrorCode.ModelRateLimited]: 'the model provider is rate limiting requests.',
  [ChatErrorCode.MaxTurnsExceeded]: 'the agent exceeded its maximum number of turns.',
  [ChatErrorCode.PersistenceFailed]: 'the conversation could not be saved.',
  [ChatErrorCode.ServerShuttingDown]: 'the server is restarting; retry the request.',
  [ChatErrorCode.Internal]: 'an internal error occurred.',
};

const STATUS: Partial<Record<ChatErrorCode, number>> = {
  [ChatErrorCode.ModelError]: 502,
  [ChatErrorCode.ModelUnavailable]: 502,
  [ChatErrorCode.ModelRateLimited]: 502,
  [ChatErrorCode.ModelTimeout]: 504,
  [ChatErrorCode.ServerShuttingDown]: 503,
};

/** The reference's prefix, so clients matching on it keep working, with a generic reason. */
export function chatErrorMessage(code: ChatErrorCode): string {
  return `Error processing chat request: ${REASONS[code]}`;
}

/** A failed chat turn, classified. `cause` holds the original error for the log only. */
export class ChatTurnError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    cause?: unknown,
  ) {
    super(chatErrorMessage(code), { cause });
    this.name = 'ChatTurnError';
  }

  static from(error: unknown): ChatTurnError {
    return error instanceof ChatTurnError ? error : new ChatTurnError(classify(error), error);
  }
}

function classify(error: unknown): ChatErrorCode {
  if (error instanceof MaxTurnsExceededError) return ChatErrorCode.MaxTurnsExceeded;
  if (error instanceof APIConnectionTimeoutError) return ChatErrorCode.ModelTimeout;
  if (error instanceof APIConnectionError) return ChatErrorCode.ModelUnavailable;
  if (error instanceof APIError) {
    return error.status === 429 ? ChatErrorCode.ModelRateLimited : ChatErrorCode.ModelError;
  }
  if (error instanceof ModelBehaviorError) return ChatErrorCode.ModelError;
  return ChatErrorCode.Internal;
}

/** The failure response of `POST /api/v1/chat`: 500/502/504, a stable code, no internal text. */
export class ChatFailedException extends AppException {
  constructor(error: ChatTurnError) {
    super(STATUS[error.code] ?? 500, error.message, { code: error.code, cause: error.cause });
  }
}

/**
 * What `POST /api/v1/chat` throws for a failed turn: an HTTP error raised on the way is already
 * shaped and passes as it is; anything else is classified into `ChatFailedException`.
 */
export function toChatFailure(error: unknown): AppException {
  return error instanceof AppException ? error : new ChatFailedException(ChatTurnError.from(error));
}

/**
 * The tenant's plan quota for chat is used up for the period: 402 `quota_exceeded` (payment
 * required: a retry will not help until the period renews or the plan changes; 429 stays the
 * short-term rate limit, whose Retry-After is seconds). Details say which limit and until when.
 */
export class ChatQuotaExceededException extends AppException {
  constructor(refusal: { feature: string; limit: number; used: number; periodEnd: Date }) {
    super(402, 'Chat quota exceeded for the current billing period.', {
      code: 'quota_exceeded',
      details: {
        feature: refusal.feature,
        limit: refusal.limit,
        used: refusal.used,
        period_end: isoZ(refusal.periodEnd),
      },
    });
  }
}

/**
 * The idempotency key (`client_message_id` / `Idempotency-Key`) was already used by this user for
 * a different send (another message, conversation, agent or endpoint): 422
 * `idempotency_key_reused`, nothing run (docs/chat-idempotency.md).
 */
export class ChatIdempotencyKeyReusedException extends AppException {
  constructor() {
    super(422, 'This idempotency key was already used for a different chat request.', {
      code: 'idempotency_key_reused',
    });
  }
}

/**
 * A send with this idempotency key is still running: 409 `request_in_progress`, nothing run; retry
 * once it finished to get its answer replayed (docs/chat-idempotency.md).
 */
export class ChatRequestInProgressException extends AppException {
  constructor() {
    super(409, 'A chat request with this idempotency key is still in progress.', {
      code: 'request_in_progress',
    });
  }
}

/**
 * No run with this id belongs to the caller (never existed, another user's, or past its retention):
 * 404 `run_not_found` (docs/chat-runs.md).
 */
export class ChatRunNotFoundException extends AppException {
  constructor() {
    super(404, 'Chat run not found.', { code: 'run_not_found' });
  }
}

/** The run is a plain `POST /api/v1/chat` turn, which has no stream to resume: 409 `run_not_streamed`. */
export class ChatRunNotStreamedException extends AppException {
  constructor() {
    super(409, 'This chat run was not streamed, so it has no stream to resume.', {
      code: 'run_not_streamed',
    });
  }
}

/** `POST /api/v1/chat` whose run was cancelled (`POST /chat/runs/{id}/cancel`): 409 `run_cancelled`. */
export class ChatRunCancelledException extends AppException {
  constructor() {
    super(409, 'The chat run was cancelled.', { code: 'run_cancelled' });
  }
}

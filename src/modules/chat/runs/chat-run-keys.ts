/**
 * Redis names of chat runs (decision C11, docs/chat-runs.md). Keys get REDIS_KEY_PREFIX from the
 * client; the channel name is prefixed by its users (pub/sub channels are not keys).
 */
export const ChatRunKeys = {
  /** Hash: owner, conversation, mode, state, message id, last event id. */
  record: (runId: string) => `chat:run:${runId}`,
  /** Stream of the run's SSE frames; entry id `<last event id>-0`, fields `n` (first id), `d`, `end`. */
  events: (runId: string) => `chat:run:${runId}:events`,
  /** Present while some replica serves a resumed stream of the run (keeps a detached run going). */
  watch: (runId: string) => `chat:run:${runId}:watch`,
  /** Pub/sub channel: a run id published here is cancelled by the replica running it. */
  cancelChannel: 'chat:runs:cancel',
} as const;

/** Run states in the record; every state but `running` is final. */
export type RunState = 'running' | 'completed' | 'cancelled' | 'incomplete' | 'failed';

export function isFinalState(state: string | undefined): boolean {
  return state !== undefined && state !== 'running';
}

import type { AgentKey } from '../agents';
import type { ConversationOwner } from '../conversations';
import type { ChatAllowance } from './chat-entitlements.port';
import type { ClientContext } from './client-context';

/** What a request asks for, resolved before any work (ids, entry agent). */
export interface TurnPlan {
  /** The caller, who owns the conversation (decision C1). */
  owner: ConversationOwner;
  /** The id clients see: the request's `conversation_id` as sent, or a new UUIDv4. */
  publicId: string;
  /** The request named no conversation: a new one, with no memory to read. */
  fresh: boolean;
  entryAgent: AgentKey;
  message: string;
  /** This turn's id: `run_id` of its messages, `last_run_id` of the conversation, logs. */
  runId: string;
  /** What the tenant's plan allows this turn (tools offered); all allowed until admitted. */
  allowance: ChatAllowance;
  /** The request's `context`, scalar entries only (chat/client-context.ts); empty when none. */
  clientContext: ClientContext;
}

export interface TurnUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  requests: number;
}

export const ZERO_USAGE: TurnUsage = {
  input_tokens: 0,
  output_tokens: 0,
  total_tokens: 0,
  cached_tokens: 0,
  reasoning_tokens: 0,
  requests: 0,
};

export interface TurnResult {
  /**
   * `completed`; `cancelled` when stopped by `POST /chat/runs/{run_id}/cancel`; `incomplete` when
   * the client went away (or the server drained) mid-run.
   */
  status: 'completed' | 'cancelled' | 'incomplete';
  /** The final output (completed) or the text streamed so far (incomplete). */
  text: string;
  /** The agent that produced the answer (the last agent of the run). */
  agentUsed: AgentKey;
  model: string;
  handoffOccurred: boolean;
  usage: TurnUsage;
  /** Id of the stored assistant message; null when nothing was stored. */
  messageId: number | null;
}

export type TurnMode = 'sync' | 'stream';

/** The abort reason of a run stopped by a cancel request (as opposed to a disconnect or drain). */
export const RUN_CANCELLED = 'run_cancelled';

export interface TurnOptions {
  mode: TurnMode;
  /** Aborts the run (client disconnect, shutdown; reason RUN_CANCELLED for a cancel request). */
  signal?: AbortSignal;
  /** Streamed text deltas with the agent producing them; awaited (backpressure). */
  onDelta?: (delta: string, agent: AgentKey) => Promise<void> | void;
  /** `performance.now()` when the request arrived (time-to-first-token metric). */
  startedAt?: number;
}

import type { ModelRequest } from '@openai/agents';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ModelTokens } from './metered-model.provider';

/**
 * Token estimates for model calls that stopped before the provider reported usage.
 *
 * The Responses API reports a call's usage only in its final event, so a call aborted midway
 * (the client disconnected, the run was cancelled, the server drained) reports nothing although
 * the provider read the whole prompt and generated the streamed text, and bills both. A turn
 * that stores a partial reply must still count those tokens toward the tenant's quota and meter
 * (docs/billing-metering.md), so the interrupted call is estimated at about four characters per
 * token: the request's serialized input, instructions and tools, and the text streamed so far.
 */
export const CHARS_PER_TOKEN = 4;

export type InterruptedCallListener = (tokens: ModelTokens) => void;

const listeners = new AsyncLocalStorage<InterruptedCallListener>();

/** Runs `fn` so that interrupted model calls made inside it are reported to `listener`. */
export function onInterruptedModelCalls<T>(listener: InterruptedCallListener, fn: () => T): T {
  return listeners.run(listener, fn);
}

/** Reports an interrupted call to the turn it belongs to (no-op outside a turn). */
export function reportInterruptedCall(tokens: ModelTokens): void {
  listeners.getStore()?.(tokens);
}

function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

function serializedLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return value.length;
  try {
    return JSON.stringify(value).length;
  } catch {
    return 0;
  }
}

/** The estimate of a call interrupted after streaming `outputChars` characters. */
export function estimateInterruptedCall(request: ModelRequest, outputChars: number): ModelTokens {
  const inputChars =
    serializedLength(request.systemInstructions) +
    serializedLength(request.input) +
    serializedLength(request.tools) +
    serializedLength(request.handoffs);
  return {
    input: tokensForChars(inputChars),
    output: tokensForChars(outputChars),
    cached: 0,
    reasoning: 0,
  };
}

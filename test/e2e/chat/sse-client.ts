import { readSse } from '../../support/sse-reader';

/**
 * A client of the legacy chat stream, on the shared SSE reader (test/support/sse-reader): each
 * event's `data` is one JSON frame; comments (the `: ping` keep-alives) are counted. The exact
 * wire format (`data: ` with its space, one line per frame) is asserted on raw bytes in
 * test/e2e/platform/sse.e2e.spec.ts.
 */
export interface ChatFrame {
  chunk: string;
  conversation_id: string;
  is_complete: boolean;
  agent_used?: string | null;
  error?: string;
  code?: string;
  usage?: Record<string, number>;
  message_id?: number | null;
  /** How the run ended (final frame only; decision C11). */
  status?: 'completed' | 'cancelled' | 'incomplete';
  /** The run this frame belongs to and its position in it (1, 2, 3...; decision C11). */
  run_id?: string;
  event_id?: string;
}

export interface StreamOutcome {
  status: number;
  headers: Headers;
  /** Raw `data` payloads (the JSON text of each frame), in order. */
  raw: string[];
  frames: ChatFrame[];
  comments: number;
  /** Concatenated `chunk` of the non-final frames. */
  text: string;
  body: unknown;
}

export async function postStream(
  url: string,
  authorization: string,
  body: unknown,
  options: { signal?: AbortSignal; onFrame?: (frame: ChatFrame) => void } = {},
): Promise<StreamOutcome> {
  const response = await fetch(`${url}/api/v1/chat/stream`, {
    method: 'POST',
    headers: {
      Authorization: authorization,
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
    },
    body: JSON.stringify(body),
    signal: options.signal,
  });
  const outcome: StreamOutcome = {
    status: response.status,
    headers: response.headers,
    raw: [],
    frames: [],
    comments: 0,
    text: '',
    body: undefined,
  };
  if (!response.ok || !response.body) {
    outcome.body = await response.json().catch(() => undefined);
    return outcome;
  }
  await readSse(response.body, {
    onComment: () => (outcome.comments += 1),
    onEvent: (event) => {
      outcome.raw.push(event.data);
      const frame = JSON.parse(event.data) as ChatFrame;
      outcome.frames.push(frame);
      if (!frame.is_complete) outcome.text += frame.chunk;
      options.onFrame?.(frame);
    },
  });
  return outcome;
}

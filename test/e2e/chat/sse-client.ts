/**
 * A client of the legacy chat stream that parses it exactly like the frontend (chat spec 2.4):
 * blocks split on a blank line, only blocks starting with `data: ` are parsed, the rest (the
 * `: ping` comments) are skipped and counted.
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
}

export interface StreamOutcome {
  status: number;
  headers: Headers;
  /** Raw `data: ` payloads, in order. */
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
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      if (!block.startsWith('data: ')) {
        if (block.startsWith(':')) outcome.comments += 1;
        continue;
      }
      const payload = block.slice(6);
      outcome.raw.push(payload);
      const frame = JSON.parse(payload) as ChatFrame;
      outcome.frames.push(frame);
      if (!frame.is_complete) outcome.text += frame.chunk;
      options.onFrame?.(frame);
    }
  }
  return outcome;
}

import { Agent, request } from 'node:http';
import { createParser } from 'eventsource-parser';

export interface StreamOutcome {
  status: number;
  /** Milliseconds from sending the request to the first frame carrying text. */
  firstChunkMs: number;
  totalMs: number;
  frames: number;
  completed: boolean;
  error?: string;
}

let agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * Drops the pooled keep-alive connections. Call it after a pause longer than the server's
 * keep-alive timeout (5 s): reusing a socket the server is closing would fail a request.
 */
export function freshConnections(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: Infinity });
}

/**
 * POSTs a chat stream request and reads the legacy SSE frames (eventsource-parser: each event's
 * `data` is one JSON frame, `: ping` comments skipped), timing the first non-empty chunk and the
 * final frame.
 */
export function chatStream(url: string, token: string, message: string): Promise<StreamOutcome> {
  const body = JSON.stringify({ message, conversation_id: null, agent_type: 'triage' });
  const started = performance.now();
  return new Promise((resolve) => {
    const outcome: StreamOutcome = {
      status: 0,
      firstChunkMs: Number.NaN,
      totalMs: 0,
      frames: 0,
      completed: false,
    };
    const req = request(
      `${url}/api/v1/chat/stream`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        outcome.status = res.statusCode ?? 0;
        const parser = createParser({
          onEvent: ({ data }) => {
            outcome.frames += 1;
            const frame = JSON.parse(data) as {
              chunk?: string;
              is_complete?: boolean;
              error?: string;
            };
            if (frame.error) outcome.error = frame.error;
            if (frame.chunk && Number.isNaN(outcome.firstChunkMs))
              outcome.firstChunkMs = performance.now() - started;
            if (frame.is_complete) outcome.completed = !frame.error;
          },
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.feed(chunk));
        res.on('end', () => {
          outcome.totalMs = performance.now() - started;
          resolve(outcome);
        });
      },
    );
    req.on('error', (error) => {
      outcome.error = error.message;
      outcome.totalMs = performance.now() - started;
      resolve(outcome);
    });
    req.end(body);
  });
}

/** Time to the first text delta straight from the OpenAI-compatible server (the fake's own TTFC). */
export function directResponsesStream(baseURL: string): Promise<number> {
  const body = JSON.stringify({ model: 'gpt-4.1-2025-04-14', input: 'hello', stream: true });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseURL}/responses`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      },
      (res) => {
        let first = Number.NaN;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (Number.isNaN(first) && chunk.includes('response.output_text.delta'))
            first = performance.now() - started;
        });
        res.on('end', () => resolve(first));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 100) / 100;
}

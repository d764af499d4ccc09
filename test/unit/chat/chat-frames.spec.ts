import { MaxTurnsExceededError } from '@openai/agents';
import { APIConnectionError, APIError } from 'openai';
import { ChatFrames } from '../../../src/modules/chat/chat-frames';
import { ChatErrorCode, ChatTurnError } from '../../../src/modules/chat/chat.errors';
import type { TurnResult } from '../../../src/modules/chat/chat-turn';

const CONVERSATION_ID = '0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10';
const RUN_ID = '7d3e2b1a-9c8f-4e6d-a5b4-3c2d1e0f9a8b';

const result: TurnResult = {
  status: 'completed',
  text: 'Hello',
  agentUsed: 'triage',
  model: 'm',
  handoffOccurred: false,
  usage: {
    input_tokens: 3,
    output_tokens: 2,
    total_tokens: 5,
    cached_tokens: 0,
    reasoning_tokens: 0,
    requests: 1,
  },
  messageId: 42,
};

describe('chat SSE frames (decisions C4, C11)', () => {
  it('writes chunk frames as compact JSON in the reference key order, then run and event ids', () => {
    const frames = new ChatFrames(CONVERSATION_ID, RUN_ID);
    expect(frames.chunk('Hel', 'triage')).toBe(
      `{"chunk":"Hel","conversation_id":"${CONVERSATION_ID}","is_complete":false,"agent_used":"triage","run_id":"${RUN_ID}","event_id":"1"}`,
    );
    expect(frames.chunk('line\n"café"', 'code_assistant')).toBe(
      `{"chunk":"line\\n\\"café\\"","conversation_id":"${CONVERSATION_ID}","is_complete":false,"agent_used":"code_assistant","run_id":"${RUN_ID}","event_id":"2"}`,
    );
    const parsed: unknown = JSON.parse(frames.chunk('x', 'triage'));
    expect(parsed).toEqual({
      chunk: 'x',
      conversation_id: CONVERSATION_ID,
      is_complete: false,
      agent_used: 'triage',
      run_id: RUN_ID,
      event_id: '3',
    });
    expect(Object.keys(parsed as object)).toEqual([
      'chunk',
      'conversation_id',
      'is_complete',
      'agent_used',
      'run_id',
      'event_id',
    ]);
  });

  it('escapes the conversation, agent and run ids it precomputes', () => {
    const frames = new ChatFrames('conv"\\', 'run"\n');
    expect(frames.chunk('', 'a"b')).toBe(
      '{"chunk":"","conversation_id":"conv\\"\\\\","is_complete":false,"agent_used":"a\\"b","run_id":"run\\"\\n","event_id":"1"}',
    );
  });

  it.each(['completed', 'cancelled', 'incomplete'] as const)(
    'writes one final frame with usage, message id and status %p',
    (status) => {
      const frames = new ChatFrames(CONVERSATION_ID, RUN_ID);
      expect(frames.final(result, status)).toBe(
        `{"chunk":"","conversation_id":"${CONVERSATION_ID}","is_complete":true,"agent_used":"triage","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5,"cached_tokens":0,"reasoning_tokens":0,"requests":1},"message_id":42,"status":"${status}","run_id":"${RUN_ID}","event_id":"1"}`,
      );
    },
  );

  it('writes a final frame without a stored message as message_id null', () => {
    const frames = new ChatFrames(CONVERSATION_ID, RUN_ID);
    const parsed = JSON.parse(frames.final({ ...result, messageId: null }, 'incomplete')) as Record<
      string,
      unknown
    >;
    expect(parsed).toMatchObject({ message_id: null, status: 'incomplete', event_id: '1' });
    expect(Object.keys(parsed)).toEqual([
      'chunk',
      'conversation_id',
      'is_complete',
      'agent_used',
      'usage',
      'message_id',
      'status',
      'run_id',
      'event_id',
    ]);
  });

  it('writes the error frame with Python separators, the reference keys, a code and the ids', () => {
    const ids = new ChatFrames('thread-é', 'run-é');
    expect(ids.error(ChatErrorCode.ModelError, 'Error processing chat request: x')).toBe(
      '{"error": "Error processing chat request: x", "conversation_id": "thread-\\u00e9", "is_complete": true, "chunk": "", "code": "model_error", "run_id": "run-\\u00e9", "event_id": "1"}',
    );
  });

  it('counts event ids up across chunk, final and error frames; lastEventId reports the last', () => {
    const frames = new ChatFrames(CONVERSATION_ID, RUN_ID);
    expect(frames.lastEventId).toBe(0);
    const eventId = (frame: string) => (JSON.parse(frame) as { event_id: string }).event_id;
    expect(eventId(frames.chunk('a', 'triage'))).toBe('1');
    expect(frames.lastEventId).toBe(1);
    expect(eventId(frames.chunk('b', 'data_analyst'))).toBe('2');
    expect(eventId(frames.final(result, 'completed'))).toBe('3');
    expect(frames.lastEventId).toBe(3);
    expect(eventId(frames.error(ChatErrorCode.Internal, 'x'))).toBe('4');
    expect(frames.lastEventId).toBe(4);
    // Each stream counts on its own.
    const other = new ChatFrames(CONVERSATION_ID, 'run-2');
    expect(eventId(other.chunk('a', 'triage'))).toBe('1');
    expect(frames.lastEventId).toBe(4);
  });
});

describe('chat error classification', () => {
  it('maps failures to stable codes with generic messages', () => {
    const upstream = APIError.generate(
      500,
      { error: { message: 'secret' } },
      'secret',
      new Headers(),
    );
    expect(ChatTurnError.from(upstream).code).toBe(ChatErrorCode.ModelError);
    const limited = APIError.generate(429, { error: { message: 'slow' } }, 'slow', new Headers());
    expect(ChatTurnError.from(limited).code).toBe(ChatErrorCode.ModelRateLimited);
    expect(ChatTurnError.from(new APIConnectionError({ message: 'down' })).code).toBe(
      ChatErrorCode.ModelUnavailable,
    );
    expect(ChatTurnError.from(new MaxTurnsExceededError('too many')).code).toBe(
      ChatErrorCode.MaxTurnsExceeded,
    );
    const internal = ChatTurnError.from(new Error('database password is hunter2'));
    expect(internal.code).toBe(ChatErrorCode.Internal);
    expect(internal.message).toBe('Error processing chat request: an internal error occurred.');
  });
});

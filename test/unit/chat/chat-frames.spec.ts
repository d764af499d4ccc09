import { MaxTurnsExceededError } from '@openai/agents';
import { APIConnectionError, APIError } from 'openai';
import { ChatFrames } from '../../../src/modules/chat/chat-frames';
import { ChatErrorCode, ChatTurnError } from '../../../src/modules/chat/chat.errors';
import type { TurnResult } from '../../../src/modules/chat/chat-turn';

describe('chat SSE frames (decision C4)', () => {
  const frames = new ChatFrames('0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10');

  it('writes chunk frames as compact JSON in the reference key order, UTF-8 passed through', () => {
    expect(frames.chunk('Hel', 'triage')).toBe(
      '{"chunk":"Hel","conversation_id":"0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10","is_complete":false,"agent_used":"triage"}',
    );
    expect(frames.chunk('line\n"café"', 'code_assistant')).toBe(
      '{"chunk":"line\\n\\"café\\"","conversation_id":"0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10","is_complete":false,"agent_used":"code_assistant"}',
    );
    expect(JSON.parse(frames.chunk('x', 'triage'))).toEqual({
      chunk: 'x',
      conversation_id: '0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10',
      is_complete: false,
      agent_used: 'triage',
    });
  });

  it('writes one final frame with usage and message id', () => {
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
    expect(frames.final(result)).toBe(
      '{"chunk":"","conversation_id":"0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10","is_complete":true,"agent_used":"triage","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5,"cached_tokens":0,"reasoning_tokens":0,"requests":1},"message_id":42}',
    );
  });

  it('writes the error frame with Python separators, the reference keys and a code', () => {
    const ids = new ChatFrames('thread-é');
    expect(ids.error(ChatErrorCode.ModelError, 'Error processing chat request: x')).toBe(
      '{"error": "Error processing chat request: x", "conversation_id": "thread-\\u00e9", "is_complete": true, "chunk": "", "code": "model_error"}',
    );
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

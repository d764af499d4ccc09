import { fromStoredItems } from '../../../src/modules/conversations/sessions/reference-items';
import { decodeMessageContent } from '../../../src/modules/conversations/message-content';

describe('stored SDK items', () => {
  it('passes @openai/agents items through unchanged', () => {
    const items = [
      { role: 'user', content: 'hi' },
      {
        type: 'function_call',
        callId: 'c1',
        name: 'get_current_time',
        arguments: '{}',
        status: 'completed',
      },
      {
        type: 'function_call_result',
        callId: 'c1',
        name: 'get_current_time',
        status: 'completed',
        output: { type: 'text', text: 'now' },
      },
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'It is now.' }],
      },
    ];
    expect(fromStoredItems(items)).toEqual(items);
  });

  it('translates reference (Python) items and drops its reasoning items', () => {
    const reference = [
      { content: 'what time is it?', role: 'user' },
      { id: 'rs_1', summary: [], type: 'reasoning' },
      {
        arguments: '{}',
        call_id: 'call_1',
        name: 'get_current_time',
        type: 'function_call',
        id: 'fc_1',
        status: 'completed',
      },
      { call_id: 'call_1', output: '2025-11-08 14:03:11 UTC', type: 'function_call_output' },
      {
        id: 'msg_1',
        content: [{ annotations: [], text: 'It is 14:03.', type: 'output_text', logprobs: [] }],
        role: 'assistant',
        status: 'completed',
        type: 'message',
      },
    ];
    expect(fromStoredItems(reference)).toEqual([
      { content: 'what time is it?', role: 'user' },
      {
        type: 'function_call',
        id: 'fc_1',
        callId: 'call_1',
        name: 'get_current_time',
        arguments: '{}',
        status: 'completed',
      },
      {
        type: 'function_call_result',
        callId: 'call_1',
        name: 'get_current_time',
        status: 'completed',
        output: { type: 'text', text: '2025-11-08 14:03:11 UTC' },
      },
      {
        id: 'msg_1',
        content: [{ type: 'output_text', text: 'It is 14:03.' }],
        role: 'assistant',
        status: 'completed',
        type: 'message',
      },
    ]);
  });

  it('decodes transcript content as the reference does', () => {
    expect(decodeMessageContent({ text: 'hello' })).toBe('hello');
    expect(decodeMessageContent({ text: 5 })).toBe('5');
    expect(decodeMessageContent({ other: true })).toBe('{"other":true}');
    expect(decodeMessageContent('plain')).toBe('plain');
    expect(decodeMessageContent(null)).toBe('');
  });
});

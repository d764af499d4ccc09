import { Readable } from 'node:stream';
import { eventually, waitFor } from '../../support/polling';
import { jsonData, parseSse, readSse } from '../../support/sse-reader';

describe('test/support/sse-reader.ts', () => {
  it('parses data, event and id fields, multi-line data, CRLF and comments', () => {
    const text =
      ': ping\n\n' +
      'data: {"chunk":"a"}\n\n' +
      'event: done\r\nid: 7\r\ndata: line one\r\ndata: line two\r\n\r\n' +
      'data: never terminated';
    expect(parseSse(text)).toEqual({
      events: [
        { data: '{"chunk":"a"}', event: undefined, id: undefined },
        { data: 'line one\nline two', event: 'done', id: '7' },
      ],
      comments: ['ping'],
    });
  });

  it('reads a byte stream split anywhere, including inside a UTF-8 character', async () => {
    const bytes = Buffer.from('data: {"chunk":"h\u00e9"}\n\ndata: {"chunk":"!"}\n\n', 'utf8');
    const split = bytes.indexOf(0xc3) + 1;
    const seen: string[] = [];
    const read = await readSse(
      Readable.from([bytes.subarray(0, 3), bytes.subarray(3, split), bytes.subarray(split)]),
      { onEvent: (event) => seen.push(event.data) },
    );
    expect(jsonData(read.events)).toEqual([{ chunk: 'h\u00e9' }, { chunk: '!' }]);
    expect(seen).toHaveLength(2);
  });

  it('stops a web stream when the signal aborts', async () => {
    const stop = new AbortController();
    const encoder = new TextEncoder();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: 1\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const read = await readSse(body, { signal: stop.signal, onEvent: () => stop.abort() });
    expect(read.events.map((event) => event.data)).toEqual(['1']);
    expect(cancelled).toBe(true);
  });
});

describe('test/support/polling.ts', () => {
  it('resolves with the first truthy value, treating throws as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not ready');
        return calls === 3 ? { row: 1 } : null;
      },
      { intervalMs: 1 },
    );
    expect(value).toEqual({ row: 1 });
    expect(calls).toBe(3);
  });

  it('names what it waited for and the last failure on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still 404');
        },
        { timeoutMs: 20, intervalMs: 5, description: 'the invoice row' },
      ),
    ).rejects.toThrow('waitFor(the invoice row) timed out after 20 ms: still 404');
  });

  it('eventually retries assertions and rethrows the last one', async () => {
    let n = 0;
    await eventually(
      () => {
        n += 1;
        expect(n).toBeGreaterThan(2);
      },
      { intervalMs: 1 },
    );
    await expect(
      eventually(() => expect(1).toBe(2), { timeoutMs: 10, intervalMs: 2 }),
    ).rejects.toThrow('Expected: 2');
  });
});

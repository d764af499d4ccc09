import { Controller, Module, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { request as httpRequest } from 'node:http';
import { LifecycleService } from '../../../src/platform/lifecycle/lifecycle.service';
import { SseService } from '../../../src/platform/sse/sse.service';
import { startTestApp, type TestApp } from '../../support/test-app';

const aborted: string[] = [];

@Controller('__sse')
class SseTestController {
  constructor(private readonly sse: SseService) {}

  @Post('three')
  async three(@Req() req: Request, @Res() res: Response): Promise<void> {
    const stream = this.sse.open(req, res, { name: 'chat', contentType: 'text/event-stream' });
    for (const n of [1, 2, 3]) await stream.send(JSON.stringify({ n }));
    stream.end();
  }

  @Post('hold')
  hold(@Req() req: Request, @Res() res: Response): void {
    const stream = this.sse.open(req, res, {
      name: 'billing',
      contentType: 'text/event-stream; charset=utf-8',
      onShutdown: (s) => s.comment('shutdown'),
    });
    stream.signal.addEventListener('abort', () => aborted.push(String(req.headers['x-tag'])));
  }
}

@Module({ controllers: [SseTestController] })
class SseTestModule {}

/** Opens a streaming POST and collects the raw body until the server ends it or `stopWhen` says so. */
function openStream(url: string, path: string, tag: string, stopWhen?: (body: string) => boolean) {
  return new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method: 'POST', headers: { 'x-tag': tag } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (stopWhen?.(body)) {
            req.destroy();
            resolve({ headers: res.headers, body });
          }
        });
        res.on('end', () => resolve({ headers: res.headers, body }));
      },
    );
    req.on('error', (error) => (stopWhen ? undefined : reject(error)));
    req.end();
  });
}

describe('SSE writer (platform/sse)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { SSE_PING_SECONDS: '1' }, extraImports: [SseTestModule] });
  });

  afterAll(async () => {
    await t.close();
  });

  it('writes data frames with the stream headers', async () => {
    const { headers, body } = await openStream(t.url, '/__sse/three', 'a');
    expect(headers['content-type']).toBe('text/event-stream');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(body).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\n');
  });

  it('sends ": ping" comments when idle and aborts the producer when the client leaves', async () => {
    const { headers, body } = await openStream(t.url, '/__sse/hold', 'leaver', (text) =>
      text.includes(': ping\n\n'),
    );
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(body).toBe(': ping\n\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(aborted).toContain('leaver');
  });

  it('drains open streams on shutdown with the stream-specific goodbye', async () => {
    const pending = openStream(t.url, '/__sse/hold', 'drained');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.app.get(LifecycleService).beginShutdown();
    const { body } = await pending;
    expect(body).toBe(': shutdown\n\n');
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body.message).toBe('Service is shutting down.');
  });
});

import { connect, type Socket } from 'node:net';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * Idle keep-alive connections live HTTP_KEEPALIVE_TIMEOUT_SECONDS (not Node's 5 s), so a proxy
 * or client reusing a socket does not race the server closing it (resets under load).
 */
describe('HTTP keep-alive', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_KEEPALIVE_TIMEOUT_SECONDS: '2' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Sends one keep-alive GET on the socket and resolves with the status line of its answer. */
  function get(socket: Socket, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let received = '';
      const onData = (chunk: Buffer) => {
        received += chunk.toString('latin1');
        const head = received.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(received.slice(0, head))?.[1] ?? 0);
        if (received.length < head + 4 + length) return;
        socket.off('data', onData);
        resolve(received.split('\r\n')[0]);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
    });
  }

  it('keeps an idle connection for the configured time, then closes it', async () => {
    const { hostname, port } = new URL(t.url);
    const socket = connect(Number(port), hostname);
    let closedAt: number | null = null;
    socket.on('close', () => (closedAt = Date.now()));
    await new Promise((resolve) => socket.once('connect', resolve));

    expect(await get(socket, 'localhost')).toBe('HTTP/1.1 200 OK');
    await sleep(1_200);
    // Still open after 1.2 s: the same socket serves a second request.
    expect(closedAt).toBeNull();
    expect(await get(socket, 'localhost')).toBe('HTTP/1.1 200 OK');
    const idleSince = Date.now();
    await sleep(4_000);
    // Closed by the server 2 s (+ Node's 1 s grace) after it went idle; Node's default is 5 s.
    expect(closedAt).not.toBeNull();
    expect(closedAt! - idleSince).toBeGreaterThanOrEqual(1_500);
    expect(closedAt! - idleSince).toBeLessThan(3_800);
    socket.destroy();
  });
});

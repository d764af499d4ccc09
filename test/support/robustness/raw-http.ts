import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent byte for byte (no normalisation or re-encoding of percent escapes). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, `undefined` when it is not JSON. */
  json: unknown;
  /** True when the server answered with an event stream (closed by us after the headers). */
  streamed: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * One HTTP request with exact control over the path, headers and body bytes (supertest and
 * fetch normalise URLs and bodies, which hides what a hostile client can send). An event-stream
 * answer is not read: the socket is closed once its headers arrived.
 */
export function sendRaw(
  baseUrl: string,
  raw: RawRequest,
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  const headers: Record<string, string> = { ...(raw.headers ?? {}) };
  if (body) headers['Content-Length'] = String(body.length);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      { agent, hostname, port: Number(port), method: raw.method, path: raw.path, headers },
      (res) => {
        const type = String(res.headers['content-type'] ?? '');
        if (type.startsWith('text/event-stream')) {
          res.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: '',
            json: undefined,
            streamed: true,
          });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
            streamed: false,
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the idle keep-alive sockets of `sendRaw` (call in `afterAll`). */
export function closeRawAgent(): void {
  agent.destroy();
}

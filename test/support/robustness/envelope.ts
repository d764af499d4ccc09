import type { IncomingHttpHeaders } from 'node:http';

export interface ResponseLike {
  status: number;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  /** Parsed JSON body (supertest's `body`, `sendRaw`'s `json`). */
  body: unknown;
}

const ENVELOPE_KEYS = ['code', 'details', 'error', 'message', 'request_id', 'success'];

/**
 * What is wrong with `response` as the project's error envelope (decision P2,
 * `src/platform/http/error-envelope.ts`): a JSON object with exactly `success: false`, `error`,
 * `message`, `details`, a snake_case `code` and the request id the `X-Correlation-ID` header
 * carries. A 422 lists pydantic-style issues. Empty when it is a well-formed envelope.
 */
export function envelopeProblems(response: ResponseLike): string[] {
  const problems: string[] = [];
  if (response.status < 400 || response.status > 599) problems.push(`status ${response.status}`);
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) problems.push(`content-type "${type}"`);
  const body = response.body as Record<string, unknown> | null | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    problems.push(`body is not a JSON object: ${JSON.stringify(body)?.slice(0, 200)}`);
    return problems;
  }
  const keys = Object.keys(body).sort();
  if (JSON.stringify(keys) !== JSON.stringify(ENVELOPE_KEYS)) {
    problems.push(`keys ${keys.join(',')}`);
  }
  if (body.success !== false) problems.push('success is not false');
  for (const field of ['error', 'message'] as const) {
    if (typeof body[field] !== 'string' || !body[field]) problems.push(`${field} is not a string`);
  }
  if (typeof body.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.code)) {
    problems.push(`code ${JSON.stringify(body.code)}`);
  }
  const correlation = response.headers['x-correlation-id'];
  if (typeof body.request_id !== 'string' || !body.request_id) problems.push('no request_id');
  else if (correlation !== undefined && correlation !== body.request_id) {
    problems.push(`request_id ${body.request_id} is not X-Correlation-ID ${String(correlation)}`);
  }
  if (response.status === 422 && body.code === 'validation_error') {
    const details = body.details;
    if (!Array.isArray(details) || details.length === 0) problems.push('422 without issues');
    else {
      for (const issue of details as Record<string, unknown>[]) {
        if (
          typeof issue?.type !== 'string' ||
          typeof issue.msg !== 'string' ||
          !Array.isArray(issue.loc) ||
          !['body', 'query', 'path', 'header'].includes(String(issue.loc[0]))
        ) {
          problems.push(`malformed issue ${JSON.stringify(issue)?.slice(0, 200)}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** Jest assertion form of `envelopeProblems`, with the status and body in the message. */
export function expectErrorEnvelope(response: ResponseLike): void {
  const problems = envelopeProblems(response);
  if (problems.length > 0) {
    throw new Error(
      `not an error envelope (${problems.join('; ')}): ${response.status} ` +
        JSON.stringify(response.body)?.slice(0, 500),
    );
  }
}

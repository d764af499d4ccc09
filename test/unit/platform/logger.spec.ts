import { Writable } from 'node:stream';
import { createLogger } from '../../../src/platform/observability/logger';
import { RequestContext } from '../../../src/platform/observability/request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', format: 'json', destination }) };
}

describe('logger (decision P4)', () => {
  it('redacts passwords, tokens, secrets and credential headers', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2',
        body: { new_password: 'n3w', refresh_token: 'rt', token: 't', secret: 's' },
        headers: {
          authorization: 'Bearer abc',
          cookie: 'sid=1',
          'x-vault-payload': 'p',
          'stripe-signature': 'sig',
        },
      },
      'request',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'hunter2',
      'n3w',
      '"rt"',
      '"t"',
      '"s"',
      'Bearer abc',
      'sid=1',
      '"p"',
      '"sig"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('adds the request id, tenant and user of the current request to every line', () => {
    const { lines, logger } = capture();
    RequestContext.run({ requestId: 'req-1' }, () => {
      logger.info('before auth');
      RequestContext.setPrincipal('user-9', 'tenant-3');
      logger.warn('after auth');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ request_id: 'req-1', message: 'before auth', level: 'info' });
    expect(lines[1]).toMatchObject({
      request_id: 'req-1',
      user_id: 'user-9',
      tenant_id: 'tenant-3',
      level: 'warn',
    });
    expect(lines[2].request_id).toBeUndefined();
  });
});

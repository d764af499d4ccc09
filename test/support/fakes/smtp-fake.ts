import { AddressInfo } from 'node:net';
import { AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/**
 * Loopback SMTP server (npm `smtp-server`) that accepts any sender and recipient, never offers
 * STARTTLS, accepts any AUTH credentials if a client sends them, and parses every message with
 * `mailparser`. `nodemailer.createTransport(fake.url)` delivers to it.
 */

export interface ReceivedMail {
  /** 1-based arrival order. */
  seq: number;
  /** SMTP envelope: what the client said in MAIL FROM / RCPT TO (includes Bcc recipients). */
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  /** Address in the `From:` header (falls back to the envelope sender). */
  from: string | undefined;
  /** Envelope recipients, lower-cased. */
  to: string[];
  /** Addresses in the `To:` and `Cc:` headers, lower-cased. */
  headerTo: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | undefined;
  /** Lower-cased header names; repeated headers keep the first value. */
  headers: Record<string, string>;
  messageId: string | undefined;
  /** The message exactly as received (RFC 5322, CRLF line ends). */
  raw: string;
  /** Username if the client authenticated. */
  authUser: string | undefined;
  receivedAt: number;
}

export interface SmtpFakeOptions {
  /** Cap on stored messages, oldest dropped first. Default 1000. */
  maxMessages?: number;
}

export interface SmtpFake {
  /** `smtp://127.0.0.1:<port>`: usable as `nodemailer.createTransport(url)`. */
  url: string;
  host: '127.0.0.1';
  port: number;
  readonly messages: readonly ReceivedMail[];
  /**
   * Resolves with the first message (already received or arriving later) matching the predicate;
   * rejects after `timeoutMs` with a list of what did arrive.
   */
  waitForMail(
    predicate?: (mail: ReceivedMail) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedMail>;
  /** Shorthand: the first mail whose envelope or header recipients include `address`. */
  waitForMailTo(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Rejects the next `count` messages at end of DATA with an SMTP error (default 451). */
  failNext(count?: number, failure?: { responseCode?: number; message?: string }): void;
  clear(): void;
  close(): Promise<void>;
}

/** Every http(s) URL in the text body and every href in the HTML body, de-duplicated, in order. */
export function extractLinks(mail: Pick<ReceivedMail, 'text' | 'html'>): string[] {
  const found: string[] = [];
  const add = (url: string): void => {
    const cleaned = url.replace(/&amp;/g, '&').replace(/[.,;:!?)\]]+$/, '');
    if (!found.includes(cleaned)) found.push(cleaned);
  };
  for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"'\]]+/g)) add(match[0]);
  for (const match of (mail.html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi)) {
    if (/^https?:\/\//i.test(match[1])) add(match[1]);
  }
  return found;
}

/** First link containing the substring or matching the pattern. */
export function findLink(
  mail: Pick<ReceivedMail, 'text' | 'html'>,
  pattern: string | RegExp,
): string | undefined {
  return extractLinks(mail).find((link) =>
    typeof pattern === 'string' ? link.includes(pattern) : pattern.test(link),
  );
}

/**
 * A token from the mail: the `param` query parameter of the first link carrying it, else a
 * `param=value` or `param: value` occurrence in the text body.
 */
export function extractToken(
  mail: Pick<ReceivedMail, 'text' | 'html'>,
  param = 'token',
): string | undefined {
  for (const link of extractLinks(mail)) {
    try {
      const url = new URL(link);
      const value =
        url.searchParams.get(param) ?? new URLSearchParams(url.hash.replace(/^#/, '')).get(param);
      if (value) return value;
    } catch {
      continue;
    }
  }
  const escaped = param.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\s*[=:]\\s*([A-Za-z0-9._~\\-]+)`, 'i').exec(mail.text);
  return match?.[1];
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) =>
    o.value.map((v) => (v.address ?? '').toLowerCase()).filter((a) => a !== ''),
  );
}

function streamToBuffer(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startSmtpFake(options: SmtpFakeOptions = {}): Promise<SmtpFake> {
  const max = options.maxMessages ?? 1000;
  const messages: ReceivedMail[] = [];
  let waiters: Array<{
    predicate: (mail: ReceivedMail) => boolean;
    resolve: (mail: ReceivedMail) => void;
  }> = [];
  const failures: Array<{ responseCode: number; message: string }> = [];
  let seq = 0;

  const store = (mail: ReceivedMail): void => {
    messages.push(mail);
    if (messages.length > max) messages.splice(0, messages.length - max);
    const remaining: typeof waiters = [];
    for (const waiter of waiters) {
      if (waiter.predicate(mail)) waiter.resolve(mail);
      else remaining.push(waiter);
    }
    waiters = remaining;
  };

  const onData = (
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): void => {
    streamToBuffer(stream)
      .then(async (rawBuffer) => {
        const failure = failures.shift();
        if (failure) {
          callback(
            Object.assign(new Error(failure.message), { responseCode: failure.responseCode }),
          );
          return;
        }
        const parsed = await simpleParser(rawBuffer);
        const headers: Record<string, string> = {};
        for (const line of parsed.headerLines) {
          if (headers[line.key] !== undefined) continue;
          const colon = line.line.indexOf(':');
          headers[line.key] = line.line
            .slice(colon + 1)
            .replace(/\r?\n[ \t]+/g, ' ')
            .trim();
        }
        const mailFrom =
          session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address;
        const rcptTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        seq += 1;
        store({
          seq,
          envelope: { mailFrom, rcptTo },
          from: addresses(parsed.from)[0] ?? mailFrom?.toLowerCase(),
          to: rcptTo,
          headerTo: addresses(parsed.to),
          cc: addresses(parsed.cc),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: parsed.html === false ? undefined : parsed.html,
          headers,
          messageId: parsed.messageId,
          raw: rawBuffer.toString('utf8'),
          authUser: session.user,
          receivedAt: Date.now(),
        });
        callback();
      })
      .catch((error: unknown) =>
        callback(error instanceof Error ? error : new Error(String(error))),
      );
  };

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    banner: 'smtp fake',
    // Tests close the fake in afterAll; 30s of grace for idle clients would stall jest.
    closeTimeout: 200,
    size: 25 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData,
  });
  // A client dropping mid-session is normal in tests and must not crash the process.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  const waitForMail = (
    predicate: (mail: ReceivedMail) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ReceivedMail> => {
    const existing = messages.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise<ReceivedMail>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (mail: ReceivedMail): void => {
          clearTimeout(timer);
          resolve(mail);
        },
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        const seen = messages.map((m) => `  - to ${m.to.join(', ')}: "${m.subject}"`).join('\n');
        reject(
          new Error(
            `Timed out after ${timeoutMs}ms waiting for a matching mail; received ${messages.length} message(s)` +
              (seen ? `:\n${seen}` : '.'),
          ),
        );
      }, timeoutMs);
      waiters.push(waiter);
    });
  };

  let closing: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    get messages() {
      return messages;
    },
    waitForMail,
    waitForMailTo: (address, timeoutMs) => {
      const wanted = address.toLowerCase();
      return waitForMail((m) => m.to.includes(wanted) || m.headerTo.includes(wanted), timeoutMs);
    },
    failNext: (count = 1, failure = {}) => {
      for (let i = 0; i < count; i += 1) {
        failures.push({
          responseCode: failure.responseCode ?? 451,
          message:
            failure.message ?? 'Requested action aborted: local error in processing (smtp fake)',
        });
      }
    },
    clear: () => {
      messages.length = 0;
      failures.length = 0;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}

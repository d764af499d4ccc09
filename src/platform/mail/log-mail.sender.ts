import type { Logger } from 'pino';
import { MailSender, type MailMessage } from './mail-sender';

/**
 * Development delivery: nothing is sent; the log gets one readable line per message, the
 * sender's development note when it has one (a command that completes the flow against this
 * API, so no frontend is needed), and the whole body at debug level. Refused in production.
 */
export class LogMailSender extends MailSender {
  readonly outbox: MailMessage[] = [];

  constructor(private readonly log: Logger) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    this.outbox.push(message);
    if (this.outbox.length > 100) this.outbox.shift();
    const fields = { category: message.category, to: message.to, subject: message.subject };
    const summary = `Email "${message.subject}" to ${message.to} logged, not sent (no SMTP_URL)`;
    this.log.info(
      fields,
      message.developmentNote ? `${summary}. ${message.developmentNote}` : summary,
    );
    this.log.debug({ ...fields, body: message.text }, 'Logged email body');
  }
}

import type { Logger } from 'pino';
import { MailSender, type MailMessage } from './mail-sender';

/**
 * Development delivery: the whole message, links included, goes to the log so a developer can
 * click through verification and reset flows without an SMTP server. Refused in production.
 */
export class LogMailSender extends MailSender {
  readonly outbox: MailMessage[] = [];

  constructor(private readonly log: Logger) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    this.outbox.push(message);
    if (this.outbox.length > 100) this.outbox.shift();
    this.log.warn(
      { category: message.category, to: message.to, subject: message.subject, body: message.text },
      'Email not sent (no SMTP_URL); logged for development',
    );
  }
}

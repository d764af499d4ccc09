import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { inSpan, SpanKind } from '../observability/tracing';
import { MailSender, type MailMessage } from './mail-sender';

/** Real delivery over SMTP (`SMTP_URL`, e.g. smtp://user:pass@host:587). */
export class SmtpMailSender extends MailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  /** One CLIENT span per delivery when tracing (nodemailer speaks SMTP on raw sockets). */
  send(message: MailMessage): Promise<void> {
    const span = { kind: SpanKind.CLIENT, attributes: { 'mail.category': message.category } };
    return inSpan('smtp send', span, async () => {
      const info = (await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      })) as { messageId?: string };
      this.log.info({ category: message.category, message_id: info.messageId }, 'Email sent');
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** An outgoing email with both bodies (decision A6: plain text and HTML). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Log-safe tag (e.g. `email_verification`), never the content. */
  category: string;
}

/** The mail port: feature modules depend on this abstract class, adapters implement it. */
export abstract class MailSender {
  abstract send(message: MailMessage): Promise<void>;
}

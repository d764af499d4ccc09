/** An outgoing email with both bodies (decision A6: plain text and HTML). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Log-safe tag (e.g. `email_verification`), never the content. */
  category: string;
  /**
   * One readable line for a developer without a mail server or frontend: a command that completes
   * the flow against this API. Only the development log sender prints it; it is never mailed.
   */
  developmentNote?: string;
}

/** The mail port: feature modules depend on this abstract class, adapters implement it. */
export abstract class MailSender {
  abstract send(message: MailMessage): Promise<void>;
}

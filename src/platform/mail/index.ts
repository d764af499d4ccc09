export { LogMailSender } from './log-mail.sender';
export { MailSender, type MailMessage } from './mail-sender';
export { MailModule } from './mail.module';
export { SmtpMailSender } from './smtp-mail.sender';

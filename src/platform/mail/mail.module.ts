import { Global, Module, type OnApplicationShutdown, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LoggerFactory } from '../observability/logger.factory';
import { LogMailSender } from './log-mail.sender';
import { MailSender } from './mail-sender';
import { SmtpMailSender } from './smtp-mail.sender';

@Injectable()
class MailShutdown implements OnApplicationShutdown {
  constructor(private readonly sender: MailSender) {}

  onApplicationShutdown(): void {
    if (this.sender instanceof SmtpMailSender) this.sender.close();
  }
}

/** Provides the `MailSender` port: SMTP when SMTP_URL is set, the log adapter otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: MailSender,
      inject: [AppConfig, LoggerFactory],
      useFactory: (config: AppConfig, loggers: LoggerFactory): MailSender =>
        config.SMTP_URL
          ? new SmtpMailSender(config.SMTP_URL, config.EMAIL_FROM, loggers.get('mail'))
          : new LogMailSender(loggers.get('mail')),
    },
    MailShutdown,
  ],
  exports: [MailSender],
})
export class MailModule {}

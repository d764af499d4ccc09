import { LogMailSender } from '../../../src/platform/mail/log-mail.sender';
import { MailSender } from '../../../src/platform/mail/mail-sender';
import { SmtpMailSender } from '../../../src/platform/mail/smtp-mail.sender';
import { startSmtpFake, type SmtpFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('mail port (decision A6)', () => {
  let smtp: SmtpFake;

  beforeAll(async () => {
    smtp = await startSmtpFake();
  });

  afterAll(async () => {
    await smtp.close();
  });

  it('delivers over SMTP with both bodies when SMTP_URL is set', async () => {
    const t: TestApp = await startTestApp({
      env: { SMTP_URL: smtp.url, EMAIL_FROM: 'Agents <no-reply@agents.test>' },
    });
    try {
      const sender = t.app.get(MailSender);
      expect(sender).toBeInstanceOf(SmtpMailSender);
      await sender.send({
        to: 'Someone@Example.test',
        subject: 'Verify your email',
        text: 'Open http://localhost:3000/verify-email?token=abc.def',
        html: '<p><a href="http://localhost:3000/verify-email?token=abc.def">Verify</a></p>',
        category: 'email_verification',
      });
      const mail = await smtp.waitForMail((m) => m.subject === 'Verify your email', 5000);
      expect(mail.to).toContain('someone@example.test');
      expect(mail.from).toContain('no-reply@agents.test');
      expect(mail.text).toContain('token=abc.def');
      expect(mail.html).toContain('href="http://localhost:3000/verify-email?token=abc.def"');
    } finally {
      await t.close();
    }
  });

  it('logs the message instead in development without SMTP_URL', async () => {
    const t: TestApp = await startTestApp();
    try {
      const sender = t.app.get(MailSender);
      expect(sender).toBeInstanceOf(LogMailSender);
      await sender.send({
        to: 'dev@example.test',
        subject: 'Hi',
        text: 'link',
        html: '<b>link</b>',
        category: 'test',
      });
      expect((sender as LogMailSender).outbox).toHaveLength(1);
      expect(t.logs.some((line) => line.category === 'test' && line.body === 'link')).toBe(true);
    } finally {
      await t.close();
    }
  });
});

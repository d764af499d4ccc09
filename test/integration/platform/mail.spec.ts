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
        developmentNote: 'never mailed',
      });
      const mail = await smtp.waitForMail((m) => m.subject === 'Verify your email', 5000);
      expect(mail.to).toContain('someone@example.test');
      expect(mail.from).toContain('no-reply@agents.test');
      expect(mail.text).toContain('token=abc.def');
      expect(mail.html).toContain('href="http://localhost:3000/verify-email?token=abc.def"');
      expect(`${mail.text}${mail.html}`).not.toContain('never mailed');
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
        developmentNote: 'Run: curl http://127.0.0.1:8000/ok',
      });
      expect((sender as LogMailSender).outbox).toHaveLength(1);
      // One readable info line (note included); the multi-line body only at debug level.
      const lines = t.logs.filter((line) => line.category === 'test');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'info',
          to: 'dev@example.test',
          subject: 'Hi',
          message:
            'Email "Hi" to dev@example.test logged, not sent (no SMTP_URL). Run: curl http://127.0.0.1:8000/ok',
        }),
      ]);
      expect(lines[0]).not.toHaveProperty('body');
    } finally {
      await t.close();
    }
  });
});

import nodemailer from 'nodemailer';
import { extractLinks, extractToken, findLink, SmtpFake, startSmtpFake } from '../../support/fakes';

describe('SMTP fake driven by nodemailer', () => {
  let smtp: SmtpFake;
  let transport: ReturnType<typeof nodemailer.createTransport>;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    transport = nodemailer.createTransport(smtp.url);
  });
  afterEach(() => smtp.clear());
  afterAll(async () => {
    transport.close();
    await smtp.close();
  });

  it('receives a multipart text+html mail with parsed fields', async () => {
    const verifyUrl = 'https://app.example.test/verify-email?token=abc.DEF-123_x&user=42';
    const info = await transport.sendMail({
      from: '"Anything Agents" <no-reply@example.test>',
      to: 'Ada@Example.test',
      cc: 'audit@example.test',
      bcc: 'hidden@example.test',
      subject: 'Verify your email ✉',
      text: `Hi Ada,\n\nConfirm here: ${verifyUrl}\n\nThanks.`,
      html: `<p>Hi Ada,</p><p><a href="${verifyUrl.replace(/&/g, '&amp;')}">Confirm</a></p>`,
      headers: { 'X-Tenant-Id': 't_1' },
    });
    expect(info.accepted).toHaveLength(3);

    const mail = await smtp.waitForMailTo('ada@example.test');
    expect(mail).toMatchObject({
      from: 'no-reply@example.test',
      to: ['ada@example.test', 'audit@example.test', 'hidden@example.test'],
      headerTo: ['ada@example.test'],
      cc: ['audit@example.test'],
      subject: 'Verify your email ✉',
      envelope: { mailFrom: 'no-reply@example.test' },
    });
    expect(mail.text).toContain('Confirm here:');
    expect(mail.html).toContain('<a href=');
    expect(mail.headers['x-tenant-id']).toBe('t_1');
    expect(mail.headers['content-type']).toContain('multipart/alternative');
    expect(mail.raw).toContain('Subject: ');
    expect(extractLinks(mail)).toEqual([verifyUrl]);
    expect(findLink(mail, '/verify-email')).toBe(verifyUrl);
    expect(extractToken(mail)).toBe('abc.DEF-123_x');
    expect(extractToken({ text: 'Your code: 918273', html: undefined }, 'code')).toBe('918273');
  });

  it('waits for mail that arrives later and times out with a clear error', async () => {
    const waiting = smtp.waitForMail((m) => m.subject === 'Later', 3000);
    setTimeout(() => {
      void transport.sendMail({
        from: 'a@example.test',
        to: 'b@example.test',
        subject: 'Later',
        text: 'x',
      });
    }, 50);
    await expect(waiting).resolves.toMatchObject({ subject: 'Later', to: ['b@example.test'] });

    await expect(smtp.waitForMail((m) => m.subject === 'Never', 100)).rejects.toThrow(
      /Timed out after 100ms waiting for a matching mail; received 1 message\(s\):\n {2}- to b@example.test: "Later"/,
    );
  });

  it('accepts any credentials and can reject a message', async () => {
    const authed = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      auth: { user: 'mailer', pass: 'whatever' },
    });
    await authed.sendMail({
      from: 'a@example.test',
      to: 'c@example.test',
      subject: 'auth',
      text: 'y',
    });
    expect((await smtp.waitForMailTo('c@example.test')).authUser).toBe('mailer');
    authed.close();

    smtp.failNext(1, { responseCode: 451, message: 'try later' });
    await expect(
      transport.sendMail({
        from: 'a@example.test',
        to: 'd@example.test',
        subject: 'fail',
        text: 'z',
      }),
    ).rejects.toMatchObject({ responseCode: 451 });
    expect(smtp.messages.filter((m) => m.subject === 'fail')).toHaveLength(0);
  });
});

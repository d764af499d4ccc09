import type { MailMessage } from '../../../platform/mail';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * `<EMAIL_LINK_BASE_URL><path>?token=<token>` (the frontend page that posts the token back). The
 * path is joined under the base URL's own path, so a frontend served below `/app` keeps it.
 */
export function emailLink(baseUrl: string, path: string, token: string): string {
  const url = new URL(path.replace(/^\/+/, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** A `curl` that posts `body` as JSON to this API (development notes in logged mail). */
export function curlCommand(apiUrl: string, route: string, body: Record<string, string>): string {
  const json = JSON.stringify(body).replace(/'/g, "'\\''");
  return `curl -X POST ${apiUrl}${route} -H 'content-type: application/json' -d '${json}'`;
}

function minutesUntil(expiresAt: Date): number {
  return Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 60_000));
}

export function render(
  to: string,
  category: string,
  subject: string,
  intro: string,
  action: string,
  link: string,
  footer: string,
  developmentNote?: string,
): MailMessage {
  const text = `${intro}\n\n${action}:\n${link}\n\n${footer}\n`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>`,
    `<p style="color:#666;font-size:90%">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');
  return { to, subject, text, html, category, developmentNote };
}

export function verificationMail(
  to: string,
  link: string,
  expiresAt: Date,
  developmentNote?: string,
): MailMessage {
  return render(
    to,
    'email_verification',
    'Verify your email address',
    'Please confirm that this is your email address.',
    'Verify your email',
    link,
    `This link expires in ${minutesUntil(expiresAt)} minutes and works once. If you did not create an account, ignore this email.`,
    developmentNote,
  );
}

export function passwordResetMail(
  to: string,
  link: string,
  expiresAt: Date,
  developmentNote?: string,
): MailMessage {
  return render(
    to,
    'password_reset',
    'Reset your password',
    'Someone asked to reset the password of your account.',
    'Choose a new password',
    link,
    `This link expires in ${minutesUntil(expiresAt)} minutes and works once. If you did not ask for it, ignore this email: your password stays unchanged.`,
    developmentNote,
  );
}

export function unlockMail(
  to: string,
  link: string,
  expiresAt: Date,
  developmentNote?: string,
): MailMessage {
  return render(
    to,
    'account_unlock',
    'Your account was locked',
    'Your account was locked after repeated failed sign-in attempts.',
    'Unlock your account',
    link,
    `This link expires in ${minutesUntil(expiresAt)} minutes and works once. If the failed attempts were not yours, unlock the account and change your password.`,
    developmentNote,
  );
}

import type { MailMessage } from '../../../platform/mail';
import { render } from '../email/auth-mail.templates';

/** The invitation email: who invites, to which tenant, with which role, until when. */
export function invitationMail(
  to: string,
  invite: { tenantName: string; role: string; inviter: string | null },
  link: string,
  expiresAt: Date,
  developmentNote?: string,
): MailMessage {
  const by = invite.inviter ? `${invite.inviter} invited you` : 'You are invited';
  return render(
    to,
    'tenant_invitation',
    `You are invited to join ${invite.tenantName}`,
    `${by} to join ${invite.tenantName} as ${invite.role}.`,
    'Accept the invitation',
    link,
    `This invitation expires on ${expiresAt.toISOString().slice(0, 10)} and works once. If you did not expect it, ignore this email.`,
    developmentNote,
  );
}

import { RequestValidationException } from '../../../platform/http';
import { AuthErrorCode as Code, AuthException } from '../auth.errors';

/**
 * The invitation API's refusals. Each state of a token has its own status and code, so a
 * frontend can tell "ask for a new invitation" (expired, revoked) from "you already joined".
 */
export const InvitationFailures = {
  notFound: () => new AuthException(404, 'Invitation not found.', Code.InvitationNotFound),
  invalidToken: () =>
    new AuthException(400, 'Invalid invitation token.', Code.InvalidInvitationToken),
  accepted: () =>
    new AuthException(409, 'This invitation was already accepted.', Code.InvitationAccepted),
  revoked: () =>
    new AuthException(
      410,
      'This invitation was revoked or replaced by a newer one.',
      Code.InvitationRevoked,
    ),
  expired: () => new AuthException(410, 'This invitation has expired.', Code.InvitationExpired),
  emailMismatch: () =>
    new AuthException(
      403,
      'This invitation was sent to another email address.',
      Code.InvitationEmailMismatch,
    ),
  accountExists: () =>
    new AuthException(
      409,
      'An account with the invited email exists: sign in and accept the invitation.',
      Code.InvitationAccountExists,
    ),
  alreadyMember: () =>
    new AuthException(
      409,
      'This email already belongs to a member of the tenant.',
      Code.AlreadyMember,
    ),
  seatLimit: (limit: number) =>
    new AuthException(
      409,
      `All ${limit} seats of the subscription are taken (members and pending invitations).`,
      Code.SeatLimitReached,
    ),
  userRequired: () =>
    new AuthException(403, 'Only a user can accept an invitation.', Code.UserSubjectRequired),
  /** The same 422 a missing body field gets: only the new-account path needs a password. */
  passwordRequired: () =>
    new RequestValidationException([
      { type: 'missing', loc: ['body', 'password'], msg: 'Field required', input: null },
    ]),
};

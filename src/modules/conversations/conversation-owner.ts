import { AuthErrorCode, AuthException, type Principal } from '../auth';
import { isUuid } from '../../platform/ids';

/** The tenant and user a conversation belongs to (decision C1); every query filters on both. */
export interface ConversationOwner {
  tenantId: string;
  userId: string;
}

/**
 * The owner for a user principal. Conversation routes are `@UserOnly()`, so a user id is
 * present; a token without a (well-formed) tenant cannot own conversations.
 */
export function conversationOwnerOf(principal: Principal): ConversationOwner {
  if (!principal.userId || !principal.tenantId || !isUuid(principal.tenantId)) {
    throw new AuthException(
      401,
      'Authenticated token is missing tenant context.',
      AuthErrorCode.TenantContextMissing,
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return { tenantId: principal.tenantId, userId: principal.userId };
}

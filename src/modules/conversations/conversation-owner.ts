import { AuthErrorCode, AuthException, type Principal } from '../auth';
import { isUuid, uuidV5 } from '../../platform/ids';

/** The tenant and owner a conversation belongs to (decisions C1, C12); every query filters on both. */
export interface ConversationOwner {
  tenantId: string;
  /** The user's id, or the name-based owner id of a service account (`serviceAccountOwnerId`). */
  userId: string;
}

/** Fixed namespace of service-account owner ids (never change it: it names stored rows). */
const SERVICE_ACCOUNT_OWNER_NAMESPACE = '6f1d8a52-3c0e-5b7a-9d64-2e8f0c4b1a37';

/**
 * The owner id of a service account's conversations: UUIDv5 of `service-account:<account>`.
 * Users have random (v4) ids, so the two never collide; the same account has the same id in
 * every tenant, and the tenant keeps them apart.
 */
export function serviceAccountOwnerId(account: string): string {
  return uuidV5(SERVICE_ACCOUNT_OWNER_NAMESPACE, `service-account:${account}`);
}

/**
 * The owner for a principal: a user, or a tenant-bound service account chatting as
 * `(tenant, service-account:<name>)` (decision C12). A token without a (well-formed) tenant
 * cannot own conversations.
 */
export function conversationOwnerOf(principal: Principal): ConversationOwner {
  const tenantId = principal.tenantId;
  const ownerId =
    principal.kind === 'service_account' && principal.account
      ? serviceAccountOwnerId(principal.account)
      : principal.userId;
  if (!ownerId || !tenantId || !isUuid(tenantId)) {
    throw new AuthException(
      401,
      'Authenticated token is missing tenant context.',
      AuthErrorCode.TenantContextMissing,
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return { tenantId, userId: ownerId };
}

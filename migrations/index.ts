import { PlatformBaseline1764100000000 } from './1764100000000-platform-baseline';
import { AuthIdentity1764100100000 } from './1764100100000-auth-identity';
import { AuthRefreshAccountIndex1764100100001 } from './1764100100001-auth-refresh-account-index';
import { ChatConversations1764100200000 } from './1764100200000-chat-conversations';
import { BillingCore1764100300000 } from './1764100300000-billing-core';
import { StripeWebhooks1764100400000 } from './1764100400000-stripe-webhooks';
import { AuthAuditEvents1764100500000 } from './1764100500000-auth-audit-events';
import { AuthTenantInvitations1764100600000 } from './1764100600000-auth-tenant-invitations';
import { BillingUsageEvents1764100700000 } from './1764100700000-billing-usage-events';
import { BillingPlanQuotas1764100800000 } from './1764100800000-billing-plan-quotas';
import { ConversationTitleArchive1764100900000 } from './1764100900000-conversation-title-archive';
import { ConversationMachineOwners1764101000000 } from './1764101000000-conversation-machine-owners';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * TypeScript (tests, TypeORM CLI) and compiled JavaScript (production). Areas append their own.
 * Timestamp ranges: platform 17641000xxxxx, auth 17641001xxxxx, chat 17641002xxxxx,
 * billing 17641003xxxxx, webhooks 17641004xxxxx. A migration added after the first release takes
 * a timestamp after every existing one, whatever its area, so `migrate down` reverts the newest.
 */
export const ALL_MIGRATIONS = [
  PlatformBaseline1764100000000,
  AuthIdentity1764100100000,
  AuthRefreshAccountIndex1764100100001,
  ChatConversations1764100200000,
  BillingCore1764100300000,
  StripeWebhooks1764100400000,
  AuthAuditEvents1764100500000,
  AuthTenantInvitations1764100600000,
  BillingUsageEvents1764100700000,
  BillingPlanQuotas1764100800000,
  ConversationTitleArchive1764100900000,
  ConversationMachineOwners1764101000000,
];

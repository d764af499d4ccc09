/**
 * The actions `audit_events` records (its `action` column). Stable strings: clients filter by
 * them (`GET /api/v1/tenants/{tenant_id}/audit-events?action=`), so they are never renamed.
 */
export const AUDIT_ACTIONS = [
  'member.invited',
  'member.invitation_revoked',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'member.left',
  'user.disabled',
  'user.enabled',
  'user.unlocked',
  'password.changed',
  'password.reset',
  'email.verified',
  'session.revoked',
  'service_account.token_issued',
  'signing_key.rotated',
  'subscription.started',
  'subscription.changed',
  'subscription.canceled',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

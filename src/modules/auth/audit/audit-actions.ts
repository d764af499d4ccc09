/**
 * The actions `audit_events` records (its `action` column). Stable strings: clients filter by
 * them (`GET /api/v1/tenants/{tenant_id}/audit-events?action=`), so they are never renamed.
 */
export const AUDIT_ACTIONS = ['member.role_changed', 'member.removed', 'member.left'] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

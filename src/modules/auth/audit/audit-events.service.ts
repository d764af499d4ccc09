import { Injectable } from '@nestjs/common';
import { keysetPage, type KeysetPage } from '../../../platform/http';
import type { TenantContext } from '../tenancy/tenant-context';
import { AuditEventRepository, type AuditEventRow } from './audit-event.repository';
import type { AuditEventResponse } from './dto/audit-event.dto';
import type { ListAuditEventsQuery } from './dto/list-audit-events-query.dto';

export type AuditEventPage = KeysetPage<AuditEventResponse>;

/** Reads a tenant's audit log for its owners and admins, newest first, a page at a time. */
@Injectable()
export class AuditEventsService {
  constructor(private readonly events: AuditEventRepository) {}

  async list(tenant: TenantContext, query: ListAuditEventsQuery): Promise<AuditEventPage> {
    return keysetPage(
      query,
      (before, limit) =>
        this.events.list({
          tenantId: tenant.tenantId,
          action: query.action,
          actorUserId: query.actor_user_id?.toLowerCase(),
          before,
          limit,
        }),
      (row) => ({ at: row.cursor_at, id: row.id }),
      toResponse,
    );
  }
}

function toResponse(row: AuditEventRow): AuditEventResponse {
  return {
    id: row.id,
    action: row.action,
    actor_user_id: row.actor_user_id,
    actor_account: row.actor_account,
    target_type: row.target_type,
    target_id: row.target_id,
    request_id: row.request_id,
    details: row.details,
    occurred_at: row.occurred_at.toISOString(),
  };
}

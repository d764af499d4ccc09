import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/http';
import type { TenantContext } from '../tenancy/tenant-context';
import { AuditEventRepository, type AuditEventRow } from './audit-event.repository';
import type { AuditEventResponse } from './dto/audit-event.dto';
import { DEFAULT_AUDIT_PAGE, type ListAuditEventsQuery } from './dto/list-audit-events-query.dto';

export interface AuditEventPage {
  items: AuditEventResponse[];
  nextCursor: string | null;
}

/** Reads a tenant's audit log for its owners and admins, newest first, a page at a time. */
@Injectable()
export class AuditEventsService {
  constructor(private readonly events: AuditEventRepository) {}

  async list(tenant: TenantContext, query: ListAuditEventsQuery): Promise<AuditEventPage> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    // One more than the page: whether a next page exists, without a count.
    const rows = await this.events.list({
      tenantId: tenant.tenantId,
      action: query.action,
      actorUserId: query.actor_user_id?.toLowerCase(),
      before: query.cursor ? decodeKeysetCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toResponse),
      nextCursor:
        rows.length > limit && last
          ? encodeKeysetCursor({ at: last.cursor_at, id: last.id })
          : null,
    };
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

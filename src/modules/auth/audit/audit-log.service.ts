import { Injectable } from '@nestjs/common';
import type { Sql } from '../../../platform/database';
import { AppConfig } from '../../../platform/config/app-config';
import { RequestContext } from '../../../platform/observability/request-context';
import type { ClientInfo } from '../client/client-info';
import { hashIp } from '../client/ip-address';
import type { Principal } from '../principal';
import type { AuditAction } from './audit-actions';
import { AuditEventRepository, type AuditEventInsert } from './audit-event.repository';

/** One change, as the service that made it describes it. */
export interface AuditEntry {
  /** Who did it: the caller (or the user a change is by, e.g. who accepted), null for the system. */
  actor: Pick<Principal, 'userId' | 'account'> | null;
  tenantId: string | null;
  action: AuditAction;
  target?: { type: string; id: string };
  /** Small, secret-free facts (old and new role, reason). */
  details?: Record<string, unknown>;
  client?: ClientInfo;
}

/**
 * Writes the audit log. Always inside the transaction of the change it records (`sql`), so a
 * change and its record commit or roll back together; the request id comes from the request
 * context, the IP only as the salted hash sessions use.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly config: AppConfig,
    private readonly events: AuditEventRepository,
  ) {}

  async record(sql: Sql, entry: AuditEntry): Promise<void> {
    await this.events.insert(sql, { tenantId: entry.tenantId, ...this.row(entry) });
  }

  /**
   * An account event (user disabled, password reset, email verified): one record in each tenant
   * the user belongs to, so each tenant's owners see it; `entry.tenantId` is ignored.
   */
  async recordForUserTenants(
    sql: Sql,
    userId: string,
    entry: Omit<AuditEntry, 'tenantId'>,
  ): Promise<void> {
    await this.events.insertForUserTenants(sql, userId, this.row(entry));
  }

  private row(entry: Omit<AuditEntry, 'tenantId'>): Omit<AuditEventInsert, 'tenantId'> {
    return {
      actorUserId: entry.actor?.userId ?? null,
      actorAccount: entry.actor && !entry.actor.userId ? entry.actor.account : null,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      requestId: RequestContext.requestId() ?? null,
      ipHash: entry.client ? hashIp(this.config.sessionIpHashSalt, entry.client.ip) : null,
      details: entry.details ?? {},
    };
  }
}

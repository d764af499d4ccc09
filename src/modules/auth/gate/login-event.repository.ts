import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Sql } from '../../../platform/database';

export type LoginEventResult = 'success' | 'failure' | 'locked';

export interface LoginEvent {
  userId: string;
  tenantId: string | null;
  /** Salted IP hash (the reference's unsalted digest was reversible), or `unknown`. */
  ipHash: string;
  userAgent: string | null;
  result: LoginEventResult;
  reason: string;
}

/** Append-only `user_login_events`. */
@Injectable()
export class LoginEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(event: LoginEvent, sql: Sql = this.dataSource.manager): Promise<void> {
    await sql.query(
      `INSERT INTO user_login_events (user_id, tenant_id, ip_hash, user_agent, result, reason)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.userId, event.tenantId, event.ipHash, event.userAgent, event.result, event.reason],
    );
  }
}

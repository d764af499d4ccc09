import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { UserSessionEntity } from '../entities/user-session.entity';

/** Data access for `user_sessions`. */
@Injectable()
export class UserSessionRepository {
  constructor(
    @InjectRepository(UserSessionEntity) private readonly rows: Repository<UserSessionEntity>,
  ) {}

  /** Whether the session exists and is not revoked (the bearer check's cache-miss path). */
  async isActive(sessionId: string): Promise<boolean> {
    const row = await this.rows.findOne({
      where: { id: sessionId },
      select: { id: true, revokedAt: true },
    });
    return row !== null && row.revokedAt === null;
  }
}

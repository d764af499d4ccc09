import { Injectable } from '@nestjs/common';
import { SessionRevocationService } from '../sessions/session-revocation.service';
import { UserRepository } from '../users/user.repository';

/** Account state changes that must also end the user's sessions (decision A3). */
@Injectable()
export class UserAccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly revocation: SessionRevocationService,
  ) {}

  /** Disables the user and revokes every session and refresh token: access tokens die at once. */
  async disableUser(userId: string): Promise<void> {
    await this.users.setStatus(userId, 'disabled');
    await this.revocation.revokeAllForUser(userId, 'user_disabled');
  }

  async enableUser(userId: string): Promise<void> {
    await this.users.setStatus(userId, 'active');
  }
}

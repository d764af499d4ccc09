import { Module } from '@nestjs/common';
import { AuthSharedModule } from '../auth-shared.module';
import { UsersModule } from '../users/users.module';
import { AccountGate } from './account-gate.service';
import { LoginEventRepository } from './login-event.repository';
import { LoginThrottle } from './login-throttle.service';

/**
 * Who may sign in: account status, lockout and IP/user throttles, and the login audit rows. Both
 * password login and token refresh pass through the gate, so it sits below sessions and login.
 */
const GATE = [AccountGate, LoginThrottle, LoginEventRepository];

@Module({ imports: [AuthSharedModule, UsersModule], providers: GATE, exports: GATE })
export class GateModule {}

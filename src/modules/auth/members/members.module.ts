import { Module } from '@nestjs/common';
import { UserAccountService } from '../accounts/user-account.service';
import { AuditModule } from '../audit/audit.module';
import { GateModule } from '../gate/gate.module';
import { GuardsModule } from '../guards/guards.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { MemberAccessController } from './member-access.controller';
import { MemberAccessService } from './member-access.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { MyTenantsController } from './my-tenants.controller';

/**
 * Teams: a tenant's members and roles, the caller's own tenants, and disabling a member's
 * account. The account service (disable/enable: status, revocation, audit in one transaction)
 * lives here because it needs the audit log; it is exported for the operator CLI.
 */
@Module({
  imports: [UsersModule, SessionsModule, GuardsModule, AuditModule, GateModule],
  controllers: [MyTenantsController, MembersController, MemberAccessController],
  providers: [MembersService, UserAccountService, MemberAccessService],
  exports: [UserAccountService],
})
export class MembersModule {}

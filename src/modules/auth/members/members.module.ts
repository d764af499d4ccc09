import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GuardsModule } from '../guards/guards.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { MyTenantsController } from './my-tenants.controller';

/** Teams: a tenant's members and roles, and the caller's own tenants. */
@Module({
  imports: [UsersModule, SessionsModule, GuardsModule, AuditModule],
  controllers: [MyTenantsController, MembersController],
  providers: [MembersService],
})
export class MembersModule {}

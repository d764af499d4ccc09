import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthSharedModule } from '../auth-shared.module';
import { GuardsModule } from '../guards/guards.module';
import { IdentityModule } from '../identity/identity.module';
import { UsersModule } from '../users/users.module';
import { InvitationAcceptController } from './invitation-accept.controller';
import { InvitationRepository } from './invitation.repository';
import { InvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';
import { OptionalBearerGuard } from './optional-bearer.guard';

/**
 * Invitations into a tenant and accepting them. Above identity (accepting provisions an account
 * and signs it in), beside members.
 */
@Module({
  imports: [AuthSharedModule, UsersModule, GuardsModule, AuditModule, IdentityModule],
  controllers: [InvitationsController, InvitationAcceptController],
  providers: [InvitationRepository, InvitationsService, OptionalBearerGuard],
})
export class InvitationsModule {}

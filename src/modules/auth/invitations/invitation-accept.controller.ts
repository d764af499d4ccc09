import { Body, Controller, HttpCode, Post, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Client, type ClientInfo } from '../client/client-info';
import { CurrentPrincipal } from '../decorators/auth.decorators';
import { USER_ONLY } from '../guards/auth-metadata';
import type { Principal } from '../principal';
import { AcceptInvitationRequest, InvitationAcceptedResponse } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';
import { OptionalBearerGuard } from './optional-bearer.guard';

/**
 * Accepting an invitation: signed in (bearer token of the invited email) the account joins; without
 * a token a new account is created with the given password and signed in.
 */
@ApiTags('api', 'auth')
@Controller('api/v1/auth/invitations')
export class InvitationAcceptController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('accept')
  @HttpCode(200)
  @SetMetadata(USER_ONLY, true)
  @UseGuards(OptionalBearerGuard)
  @ApiBearerAuth('bearer')
  @ApiOkResponse({ type: InvitationAcceptedResponse })
  async acceptInvitation(
    @Body() body: AcceptInvitationRequest,
    @CurrentPrincipal() principal: Principal | undefined,
    @Client() client: ClientInfo,
  ): Promise<InvitationAcceptedResponse> {
    return this.invitations.accept(body, principal ?? null, client);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParamPipe } from '../../../platform/http';
import { Client, type ClientInfo } from '../client/client-info';
import {
  CurrentPrincipal,
  CurrentTenant,
  RequireScopes,
  RequireTenantRoles,
} from '../decorators/auth.decorators';
import type { Principal } from '../principal';
import type { TenantContext } from '../tenancy/tenant-context';
import {
  CreateInvitationRequest,
  InvitationResponse,
  ListInvitationsQuery,
} from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';

const TENANT = { pathParam: 'tenant_id', mismatch: 'not_found' } as const;

/**
 * A tenant's pending invitations (docs/teams.md): owners and admins invite, list and revoke.
 * Another tenant's invitations answer 404.
 */
@ApiTags('api', 'members')
@Controller('api/v1/tenants/:tenant_id/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /** Mails a single-use link; a newer invitation to the same email replaces the older one. */
  @Post()
  @HttpCode(201)
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner', 'admin'], TENANT)
  @ApiCreatedResponse({ type: InvitationResponse })
  async createInvitation(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Body() body: CreateInvitationRequest,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<InvitationResponse> {
    return this.invitations.invite({ principal, tenant, client }, body);
  }

  /** Pending invitations, oldest first; the next page's cursor is in `X-Next-Cursor`. */
  @Get()
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner', 'admin'], TENANT)
  @ApiOkResponse({ type: [InvitationResponse] })
  async listInvitations(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @CurrentTenant() tenant: TenantContext,
    @Query() query: ListInvitationsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InvitationResponse[]> {
    const page = await this.invitations.list(tenant, query);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items;
  }

  @Delete(':invitation_id')
  @HttpCode(204)
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner', 'admin'], TENANT)
  @ApiNoContentResponse()
  async revokeInvitation(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Param('invitation_id', UuidParamPipe) invitationId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.invitations.revoke({ principal, tenant, client }, invitationId);
  }
}

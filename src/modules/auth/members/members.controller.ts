import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { ListMembersQuery } from './dto/list-members-query.dto';
import { MemberResponse, UpdateMemberRequest } from './dto/member.dto';
import { MembersService } from './members.service';

const TENANT = { pathParam: 'tenant_id', mismatch: 'not_found' } as const;

/**
 * A tenant's members (docs/teams.md). Another tenant's members, and members that do not exist,
 * answer 404. The tenant check runs before the scope check (decorators apply bottom-up).
 */
@ApiTags('api', 'members')
@Controller('api/v1/tenants/:tenant_id/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  /** Members in joining order; the next page's cursor is in `X-Next-Cursor`. */
  @Get()
  @RequireScopes('members:read')
  @RequireTenantRoles('any', TENANT)
  @ApiOkResponse({ type: [MemberResponse] })
  async listMembers(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @CurrentTenant() tenant: TenantContext,
    @Query() query: ListMembersQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MemberResponse[]> {
    const page = await this.members.list(tenant, query);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items;
  }

  /** The caller leaves the tenant (its sessions for this tenant end); not its last owner. */
  @Delete('me')
  @HttpCode(204)
  @RequireTenantRoles('any', TENANT)
  @ApiNoContentResponse()
  async leaveTenant(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.members.leave({ principal, tenant, client });
  }

  @Patch(':user_id')
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner', 'admin'], TENANT)
  @ApiOkResponse({ type: MemberResponse })
  async updateMember(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Param('user_id', UuidParamPipe) userId: string,
    @Body() body: UpdateMemberRequest,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<MemberResponse> {
    return this.members.changeRole({ principal, tenant, client }, userId, body.role);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner', 'admin'], TENANT)
  @ApiNoContentResponse()
  async removeMember(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Param('user_id', UuidParamPipe) userId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.members.remove({ principal, tenant, client }, userId);
  }
}

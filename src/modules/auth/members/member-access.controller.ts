import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
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
import { MemberAccessService } from './member-access.service';

const TENANT = { pathParam: 'tenant_id', mismatch: 'not_found' } as const;

/**
 * A tenant owner disables or re-enables a member's account (docs/teams.md, "Disabling users"):
 * only when this tenant is the member's only one (else 403 `user_disable_forbidden`), never the
 * caller's own account (409 `user_disable_forbidden`). Another tenant and non-members answer 404.
 */
@ApiTags('api', 'members')
@Controller('api/v1/tenants/:tenant_id/members/:user_id')
export class MemberAccessController {
  constructor(private readonly access: MemberAccessService) {}

  /** Sets the account `disabled` and ends all its sessions and refresh tokens at once. */
  @Post('disable')
  @HttpCode(204)
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner'], TENANT)
  @ApiNoContentResponse()
  async disableMember(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Param('user_id', UuidParamPipe) userId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.access.disable({ principal, tenant, client }, userId);
  }

  /** Sets a disabled or locked account `active` again (the member signs in anew). */
  @Post('enable')
  @HttpCode(204)
  @RequireScopes('members:manage')
  @RequireTenantRoles(['owner'], TENANT)
  @ApiNoContentResponse()
  async enableMember(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @Param('user_id', UuidParamPipe) userId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantContext,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.access.enable({ principal, tenant, client }, userId);
  }
}

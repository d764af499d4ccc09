import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../decorators/auth.decorators';
import type { Principal } from '../principal';
import { TenantMembershipResponse } from './dto/member.dto';
import { MembersService } from './members.service';

/** The caller's tenants, for a tenant switch (login and refresh take the `tenant_id` chosen). */
@ApiTags('api', 'auth')
@Controller('api/v1/auth/tenants')
export class MyTenantsController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Authenticated()
  @ApiOkResponse({ type: [TenantMembershipResponse] })
  async listMyTenants(
    @CurrentPrincipal() principal: Principal,
  ): Promise<TenantMembershipResponse[]> {
    return this.members.myTenants(principal);
  }
}

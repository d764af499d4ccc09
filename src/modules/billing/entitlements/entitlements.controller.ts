import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { isoZ } from '../../../platform/time/iso';
import { CurrentTenant, RequireTenantRoles, type TenantContext } from '../../auth';
import { EntitlementsResponse } from './dto/entitlements-response.dto';
import { EntitlementsService } from './entitlements.service';

/** `GET /api/v1/billing/tenants/{tenant_id}/entitlements`: what the tenant may do now. */
@ApiTags('api', 'billing')
@Controller('api/v1/billing')
export class EntitlementsController {
  constructor(private readonly entitlements: EntitlementsService) {}

  /** Any member may read it (a frontend shows limits and usage); consumption is exact here. */
  @Get('tenants/:tenant_id/entitlements')
  @RequireTenantRoles('any', { pathParam: 'tenant_id' })
  @ApiOkResponse({ type: EntitlementsResponse })
  async getEntitlements(@CurrentTenant() tenant: TenantContext): Promise<EntitlementsResponse> {
    const { current, used } = await this.entitlements.withConsumption(tenant.tenantId);
    return {
      tenant_id: tenant.tenantId,
      source: current.source,
      plan_code: current.planCode,
      subscription_status: current.subscriptionStatus,
      grace_ends_at: current.graceEndsAt ? isoZ(current.graceEndsAt) : null,
      features: current.features,
      limits: { chat_tokens: current.limits.chatTokens, seats: current.limits.seats },
      consumption: { chat_tokens: used },
      period: { start: isoZ(current.period.start), end: isoZ(current.period.end) },
    };
  }
}

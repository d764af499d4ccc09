import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireTenantRoles, type TenantContext } from '../../auth';
import { CheckoutService } from './checkout.service';
import { CreateCheckoutSessionRequest } from './dto/create-checkout-session-request.dto';
import { CreatePortalSessionRequest } from './dto/create-portal-session-request.dto';
import { HostedSessionResponse } from './dto/hosted-session-response.dto';

const MANAGERS = ['owner', 'admin'] as const;
/** Our addition: a foreign tenant is not revealed (404), unlike the reference billing routes. */
const TENANT = { pathParam: 'tenant_id', mismatch: 'not_found' as const };
const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Repeat the same value (and body) to get the same session instead of a new one.',
};

/** Stripe Checkout and Customer Portal sessions (docs/billing.md). */
@ApiTags('api', 'billing')
@Controller('api/v1/billing')
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('tenants/:tenant_id/checkout-sessions')
  @HttpCode(201)
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: HostedSessionResponse })
  async createCheckoutSession(
    @CurrentTenant() tenant: TenantContext,
    @Body() body: CreateCheckoutSessionRequest,
    @Headers('idempotency-key') clientKey: string | undefined,
  ): Promise<HostedSessionResponse> {
    return this.checkout.createCheckoutSession(tenant.tenantId, {
      planCode: body.plan_code,
      seatCount: body.seat_count ?? null,
      successUrl: body.success_url,
      cancelUrl: body.cancel_url,
      clientKey: clientKey ?? null,
    });
  }

  @Post('tenants/:tenant_id/portal-sessions')
  @HttpCode(201)
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: HostedSessionResponse })
  async createPortalSession(
    @CurrentTenant() tenant: TenantContext,
    @Body() body: CreatePortalSessionRequest,
    @Headers('idempotency-key') clientKey: string | undefined,
  ): Promise<HostedSessionResponse> {
    return this.checkout.createPortalSession(tenant.tenantId, {
      returnUrl: body.return_url,
      clientKey: clientKey ?? null,
    });
  }
}

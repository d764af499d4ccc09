import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RawBodyRoutes } from '../../../platform/http/raw-body-routes';
import { WebhookIntakeService } from './webhook-intake.service';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** `POST /webhooks/stripe` (no `/api` prefix; Stripe signature instead of a JWT). */
@ApiTags('webhooks')
@Controller('webhooks')
export class StripeWebhookController {
  constructor(
    private readonly intake: WebhookIntakeService,
    rawBodyRoutes: RawBodyRoutes,
  ) {
    // Signature first, then JSON: a body that is not JSON is the reference's 400 "Invalid payload."
    rawBodyRoutes.add(STRIPE_WEBHOOK_PATH);
  }

  @Post('stripe')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"success": true, "duplicate": bool}' })
  async handleStripeWebhook(
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ success: true; duplicate: boolean }> {
    const result = await this.intake.receive(request.rawBody, signature);
    return { success: true, duplicate: result.duplicate };
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PlanCodeField, SeatCountField } from '../../dto/subscription-fields';

/** Longest redirect URL accepted (Stripe's own limit on these parameters is 5000). */
export const MAX_REDIRECT_URL_LENGTH = 2048;

/** `POST .../checkout-sessions`: a subscription-mode Stripe Checkout Session for a plan. */
export class CreateCheckoutSessionRequest {
  @PlanCodeField({ required: true })
  plan_code: string;

  @SeatCountField({ defaultValue: 1 })
  seat_count?: number | null;

  @ApiProperty({
    example: 'https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}',
    description: 'Where Stripe sends the customer after paying; its origin must be allowed.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REDIRECT_URL_LENGTH)
  success_url: string;

  @ApiProperty({
    example: 'https://app.example.com/billing',
    description: 'Where Stripe sends the customer who leaves Checkout; its origin must be allowed.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REDIRECT_URL_LENGTH)
  cancel_url: string;
}

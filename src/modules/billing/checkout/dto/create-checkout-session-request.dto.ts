import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  MinLength,
} from 'class-validator';
import { MAX_SEATS } from '../../dto/start-subscription-request.dto';

/** Longest redirect URL accepted (Stripe's own limit on these parameters is 5000). */
export const MAX_REDIRECT_URL_LENGTH = 2048;

/** `POST .../checkout-sessions`: a subscription-mode Stripe Checkout Session for a plan. */
export class CreateCheckoutSessionRequest {
  @ApiProperty({ example: 'pro' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  plan_code: string;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, default: 1 })
  @IsOptional()
  @IsInt()
  @IsPositive()
  @Max(MAX_SEATS)
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

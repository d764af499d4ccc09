import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, MaxLength } from 'class-validator';
import { PlanCodeField, SeatCountField } from './subscription-fields';

/**
 * Reference `UpdateSubscriptionRequest` (null = leave unchanged) plus the optional `plan_code`
 * of decision B1: a plan change swaps the Stripe item price with proration.
 */
export class UpdateSubscriptionRequest {
  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @IsOptional()
  @IsBoolean()
  auto_renew?: boolean | null;

  @ApiPropertyOptional({ type: String, format: 'email', nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(256)
  billing_email?: string | null;

  @SeatCountField()
  seat_count?: number | null;

  @PlanCodeField({ required: false, description: 'Change to this plan' })
  plan_code?: string | null;
}

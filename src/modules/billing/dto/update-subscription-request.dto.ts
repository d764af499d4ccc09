import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  MinLength,
} from 'class-validator';
import { MAX_SEATS } from './start-subscription-request.dto';

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

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1 })
  @IsOptional()
  @IsInt()
  @IsPositive()
  @Max(MAX_SEATS)
  seat_count?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Change to this plan' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  plan_code?: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export const MAX_SEATS = 1_000_000;

/** Reference `StartSubscriptionRequest` (lengths capped to the columns). */
export class StartSubscriptionRequest {
  @ApiProperty({ example: 'starter' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  plan_code: string;

  @ApiPropertyOptional({ type: String, format: 'email', nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(256)
  billing_email?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  auto_renew?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1 })
  @IsOptional()
  @IsInt()
  @IsPositive()
  @Max(MAX_SEATS)
  seat_count?: number | null;
}

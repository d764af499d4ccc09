import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsISO8601,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  MinLength,
} from 'class-validator';

/** Reference `UsageRecordRequest` (lengths capped to the columns). */
export class UsageRecordRequest {
  @ApiProperty({ example: 'messages' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  feature_key: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @IsPositive()
  @Max(2_147_483_647)
  quantity: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 128 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  idempotency_key?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  period_start?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  period_end?: string | null;
}

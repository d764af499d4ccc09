import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';

/** Body of `POST /api/v1/auth/service-accounts/issue` (reference schema name). */
export class ServiceAccountIssueRequest {
  @ApiProperty({ description: 'Catalog account slug' })
  @IsString()
  @MaxLength(128)
  account: string;

  @ApiProperty({ type: [String], description: "Subset of the account's allowed scopes" })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  scopes: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'Required or forbidden by the catalog entry',
  })
  @IsOptional()
  @IsUUID('all')
  tenant_id?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: "Lifetime in minutes, at most the account's max_ttl_minutes",
  })
  @IsOptional()
  @IsInt()
  lifetime_minutes?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Audit identifier' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  fingerprint?: string | null;

  @ApiPropertyOptional({ default: false, description: 'Mint even when an active token exists' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

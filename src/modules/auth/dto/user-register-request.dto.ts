import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Trim } from '../../../platform/http';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password-policy';
import { MeetsPasswordPolicy, TermsAccepted } from './validators';

/** Reference `UserRegisterRequest`; lengths capped to their columns. */
export class UserRegisterRequest {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @Trim()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  @MeetsPasswordPolicy('email')
  password: string;

  @ApiProperty({ minLength: 2, maxLength: 128 })
  @Trim()
  @IsString()
  @Length(2, 128)
  tenant_name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  display_name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  plan_code?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 365 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  trial_days?: number | null;

  @ApiPropertyOptional({ default: false, description: 'Must be true' })
  @TermsAccepted()
  accept_terms?: boolean;
}

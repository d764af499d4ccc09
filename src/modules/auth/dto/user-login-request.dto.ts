import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Trim } from '../../../platform/http';
import { LOGIN_PASSWORD_MAX_LENGTH } from '../password-policy';

/** Reference `UserLoginRequest` (JSON, not form-encoded). */
export class UserLoginRequest {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @Trim()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: LOGIN_PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(8)
  @MaxLength(LOGIN_PASSWORD_MAX_LENGTH)
  password: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Tenant UUID; required for multi-tenant users ("" counts as absent)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tenant_id?: string | null;
}

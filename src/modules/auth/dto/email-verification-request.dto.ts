import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Reference `EmailVerificationConfirmRequest`. */
export class EmailVerificationConfirmRequest {
  @ApiProperty({ minLength: 1 })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token: string;
}

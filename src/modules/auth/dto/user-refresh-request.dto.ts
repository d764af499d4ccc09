import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Longest JWT we look at (ours are well under 1 KiB). */
const TOKEN_MAX_LENGTH = 8192;

/** Reference `UserRefreshRequest`. */
export class UserRefreshRequest {
  @ApiProperty({ minLength: 1 })
  @IsString()
  @MinLength(1)
  @MaxLength(TOKEN_MAX_LENGTH)
  refresh_token: string;
}

/** Reference `UserLogoutRequest`. */
export class UserLogoutRequest {
  @ApiProperty({ minLength: 1 })
  @IsString()
  @MinLength(1)
  @MaxLength(TOKEN_MAX_LENGTH)
  refresh_token: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ToInt } from '../../../../platform/http';

export const DEFAULT_MEMBER_PAGE = 50;
export const MAX_MEMBER_PAGE = 200;

/** Page size and the opaque cursor from `X-Next-Cursor`, as the conversation list takes them. */
export class ListMembersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_MEMBER_PAGE, default: DEFAULT_MEMBER_PAGE })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_MEMBER_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous response's X-Next-Cursor header" })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}

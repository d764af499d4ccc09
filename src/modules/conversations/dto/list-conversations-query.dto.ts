import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ToInt } from '../../../platform/http/validation/transforms';

export const DEFAULT_CONVERSATION_PAGE = 50;
export const MAX_CONVERSATION_PAGE = 200;

/**
 * `GET /api/v1/conversations` query (decision C5): page size and the opaque cursor from
 * `X-Next-Cursor`.
 */
export class ListConversationsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CONVERSATION_PAGE, default: 50 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_CONVERSATION_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous response's X-Next-Cursor header" })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ToInt } from '../../../platform/http';

export const MAX_MESSAGES_PAGE = 500;
export const DEFAULT_MESSAGES_PAGE = 100;

/**
 * Message paging of `GET /api/v1/conversations/:conversation_id` (decision C8). Without either
 * field the whole transcript is returned, as before. With one, the newest `messages_limit`
 * messages older than `before` come back in chronological order, and `X-Messages-Next-Cursor`
 * names the cursor of the next (older) page.
 */
export class ConversationHistoryQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_MESSAGES_PAGE,
    description: `Page size; turns paging on (default ${DEFAULT_MESSAGES_PAGE} when only \`before\` is given)`,
  })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_MESSAGES_PAGE)
  messages_limit?: number;

  @ApiPropertyOptional({
    description:
      "Only messages older than this one: the previous page's X-Messages-Next-Cursor, or any message `id` of the conversation",
  })
  @IsOptional()
  @IsString()
  // A message id (bigint); 18 digits stay within Postgres' bigint.
  @Matches(/^[1-9]\d{0,17}$/)
  before?: string;
}

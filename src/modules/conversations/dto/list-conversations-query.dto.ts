import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDateTime, PageQuery, ToBool } from '../../../platform/http';

/** Longest `q`: a search phrase, not a document. */
export const SEARCH_QUERY_MAX_CHARS = 200;

/**
 * E3 query (decision C5) and the list filters of decision C8. Filters combine with AND and with
 * the cursor: a cursor stays valid for the same filters (it is only a position in the order).
 */
export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({
    default: false,
    description: 'Also list archived conversations (hidden by default)',
  })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  include_archived?: boolean;

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Only conversations this agent key was started with or last answered by',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  agent?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only conversations whose last message (`updated_at`) is strictly later',
  })
  @IsOptional()
  @IsDateTime()
  updated_after?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: SEARCH_QUERY_MAX_CHARS,
    description: 'Case-insensitive substring of the title or of any message',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(SEARCH_QUERY_MAX_CHARS)
  q?: string;
}

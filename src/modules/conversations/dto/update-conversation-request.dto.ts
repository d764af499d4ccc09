import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MinLength, ValidateIf } from 'class-validator';
import { MaxChars, Trim } from '../../../platform/http';
import { TITLE_MAX_CHARS } from '../conversation-title';

/**
 * Body of `PATCH /api/v1/conversations/:conversation_id` (decision C8): rename, archive or
 * unarchive. At least one field is required (checked by the service, so the 422 names both).
 * `null` is not "absent": it is refused like any other non-string/non-boolean value, because
 * there is no way to clear a title or leave it half-set.
 */
export class UpdateConversationRequest {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: TITLE_MAX_CHARS,
    description: 'New title; surrounding whitespace is trimmed first',
  })
  @ValidateIf((body: UpdateConversationRequest) => body.title !== undefined)
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxChars(TITLE_MAX_CHARS)
  title?: string;

  @ApiPropertyOptional({ description: 'true archives (hidden from the list), false restores' })
  @ValidateIf((body: UpdateConversationRequest) => body.archived !== undefined)
  @IsBoolean()
  archived?: boolean;
}

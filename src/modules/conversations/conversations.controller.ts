import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequireScopes, type Principal } from '../auth';
import { conversationOwnerOf } from './conversation-owner';
import { ConversationsService } from './conversations.service';
import { ConversationHistoryQuery } from './dto/conversation-history-query.dto';
import { ConversationHistory } from './dto/conversation-history.dto';
import { ConversationSummary } from './dto/conversation-summary.dto';
import { ListConversationsQuery } from './dto/list-conversations-query.dto';
import { UpdateConversationRequest } from './dto/update-conversation-request.dto';

/** Response header naming the `before` cursor of the next (older) page of messages. */
export const MESSAGES_CURSOR_HEADER = 'X-Messages-Next-Cursor';

/**
 * `/api/v1/conversations`: list, history, rename/archive and delete. Conversations are per owner
 * (C1): a user, or a tenant-bound service account as `(tenant, service-account:<name>)` (C12);
 * others' conversations answer 404 like missing ones.
 */
@ApiTags('api', 'conversations')
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /**
   * The caller's conversations, newest first, archived ones hidden unless asked for (C8); the
   * next page's cursor is in `X-Next-Cursor`.
   */
  @Get()
  @RequireScopes('conversations:read')
  @ApiOkResponse({ type: [ConversationSummary] })
  async listConversations(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListConversationsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConversationSummary[]> {
    const page = await this.conversations.list(conversationOwnerOf(principal), query);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items;
  }

  /** The transcript; `messages_limit`/`before` page it, older pages via `X-Messages-Next-Cursor`. */
  @Get(':conversation_id')
  @RequireScopes('conversations:read')
  @ApiOkResponse({
    type: ConversationHistory,
    headers: {
      [MESSAGES_CURSOR_HEADER]: {
        description: '`before` of the next (older) page of messages, when paging and there is one',
        schema: { type: 'string' },
      },
    },
  })
  @ApiResponse({ status: 404, description: 'Conversation <id> not found' })
  async getConversation(
    @CurrentPrincipal() principal: Principal,
    @Param('conversation_id') conversationId: string,
    @Query() query: ConversationHistoryQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConversationHistory> {
    const page = await this.conversations.get(
      conversationOwnerOf(principal),
      conversationId,
      query,
    );
    if (page.olderCursor) response.setHeader(MESSAGES_CURSOR_HEADER, page.olderCursor);
    return page.history;
  }

  /** Renames and/or archives (`archived: true`) or restores (`false`); answers the summary. */
  @Patch(':conversation_id')
  @RequireScopes('conversations:write')
  @ApiOkResponse({ type: ConversationSummary })
  @ApiResponse({ status: 404, description: 'Conversation <id> not found' })
  async updateConversation(
    @CurrentPrincipal() principal: Principal,
    @Param('conversation_id') conversationId: string,
    @Body() body: UpdateConversationRequest,
  ): Promise<ConversationSummary> {
    return this.conversations.update(conversationOwnerOf(principal), conversationId, body);
  }

  /** Deletes the transcript and the model's memory of it. */
  @Delete(':conversation_id')
  @HttpCode(204)
  @RequireScopes('conversations:delete')
  @ApiNoContentResponse()
  @ApiResponse({ status: 404, description: 'Conversation <id> not found' })
  async deleteConversation(
    @CurrentPrincipal() principal: Principal,
    @Param('conversation_id') conversationId: string,
  ): Promise<void> {
    await this.conversations.delete(conversationOwnerOf(principal), conversationId);
  }
}

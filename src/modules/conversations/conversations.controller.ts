import { Controller, Delete, Get, HttpCode, Param, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequireScopes, UserOnly, type Principal } from '../auth';
import { conversationOwnerOf } from './conversation-owner';
import { ConversationsService } from './conversations.service';
import { ConversationHistory } from './dto/conversation-history.dto';
import { ConversationSummary } from './dto/conversation-summary.dto';
import { ListConversationsQuery } from './dto/list-conversations-query.dto';

/**
 * `/api/v1/conversations`: list, history and delete. Conversations are per user (C1), so these
 * routes take user tokens only; others' conversations answer 404 like missing ones.
 */
@ApiTags('api', 'conversations')
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** The caller's conversations, newest first; the next page's cursor is in `X-Next-Cursor`. */
  @Get()
  @RequireScopes('conversations:read')
  @UserOnly()
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

  @Get(':conversation_id')
  @RequireScopes('conversations:read')
  @UserOnly()
  @ApiOkResponse({ type: ConversationHistory })
  @ApiResponse({ status: 404, description: 'Conversation <id> not found' })
  async getConversation(
    @CurrentPrincipal() principal: Principal,
    @Param('conversation_id') conversationId: string,
  ): Promise<ConversationHistory> {
    return this.conversations.get(conversationOwnerOf(principal), conversationId);
  }

  /** Deletes the transcript and the model's memory of it. */
  @Delete(':conversation_id')
  @HttpCode(204)
  @RequireScopes('conversations:delete')
  @UserOnly()
  @ApiNoContentResponse()
  @ApiResponse({ status: 404, description: 'Conversation <id> not found' })
  async deleteConversation(
    @CurrentPrincipal() principal: Principal,
    @Param('conversation_id') conversationId: string,
  ): Promise<void> {
    await this.conversations.delete(conversationOwnerOf(principal), conversationId);
  }
}

import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppException } from '../../platform/http/app-exception';
import { CurrentPrincipal, RequireScopes, UserOnly, type Principal } from '../auth';
import { ToolCatalog } from '../tools';
import { ChatFailedException, ChatTurnError } from './chat.errors';
import { ChatRateLimits, setRateLimitHeaders } from './chat-rate-limits.service';
import { ChatStreamService } from './chat-stream.service';
import { ChatService } from './chat.service';
import { AgentChatRequest } from './dto/agent-chat-request.dto';
import { AgentChatResponse } from './dto/agent-chat-response.dto';

/**
 * E1 and E2. Chat writes per-user conversations, so both take user tokens only (service
 * accounts get the 401 of `@UserOnly`). Order: auth and scopes (guards), body validation
 * (pipe), message length, rate limits, then the turn.
 */
@ApiTags('api', 'chat')
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly limits: ChatRateLimits,
    private readonly streams: ChatStreamService,
    private readonly tools: ToolCatalog,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('conversations:write')
  @UserOnly()
  @ApiOkResponse({ type: AgentChatResponse })
  async chatWithAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AgentChatRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AgentChatResponse> {
    const startedAt = performance.now();
    const plan = this.chat.plan(principal, body);
    setRateLimitHeaders(response, await this.limits.chat(principal));
    try {
      const result = await this.chat.run(plan, { mode: 'sync', startedAt });
      return {
        response: result.text,
        conversation_id: plan.publicId,
        agent_used: result.agentUsed,
        handoff_occurred: result.handoffOccurred,
        metadata: {
          model_used: result.model,
          tools_available: this.tools.names(),
          usage: result.usage,
          message_id: result.messageId,
        },
      };
    } catch (error) {
      if (error instanceof AppException) throw error;
      throw new ChatFailedException(ChatTurnError.from(error));
    }
  }

  /**
   * The legacy SSE stream (chat spec 2, decision C4), written by hand once guards, validation
   * and both rate limits passed. The concurrency slot is released whatever happens.
   */
  @Post('stream')
  @HttpCode(200)
  @RequireScopes('conversations:write')
  @UserOnly()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'Server-Sent Events: `data: {chunk, conversation_id, ...}`' })
  async streamChatWithAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AgentChatRequest,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const startedAt = performance.now();
    const plan = this.chat.plan(principal, body);
    setRateLimitHeaders(response, await this.limits.streamStart(principal));
    const slot = await this.limits.streamSlot(principal);
    try {
      await this.streams.serve(plan, { request, response }, slot, startedAt);
    } finally {
      await slot.release();
    }
  }
}

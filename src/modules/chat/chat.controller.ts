import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequireScopes, UserOnly, type Principal } from '../auth';
import { ChatRequestService } from './chat-request.service';
import { AgentChatRequest } from './dto/agent-chat-request.dto';
import { AgentChatResponse } from './dto/agent-chat-response.dto';

/**
 * `POST /api/v1/chat` and `POST /api/v1/chat/stream`. Chat writes per-user conversations, so both
 * take user tokens only (service accounts get the 401 of `@UserOnly`). Guards (auth, scopes) and
 * the body pipe run before a handler; everything after them (message length, rate limits, the turn,
 * error translation) is ChatRequestService's, in its order.
 */
@ApiTags('api', 'chat')
@Controller('api/v1/chat')
export class ChatController {
  constructor(private readonly requests: ChatRequestService) {}

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
    return this.requests.chat(principal, body, response);
  }

  /** The legacy SSE stream, written by hand on the Express response (hence `@Res()`). */
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
    await this.requests.stream(principal, body, { request, response });
  }
}

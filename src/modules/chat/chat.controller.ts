import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequireScopes, type Principal } from '../auth';
import { ChatRequestService } from './chat-request.service';
import { AgentChatRequest } from './dto/agent-chat-request.dto';
import { AgentChatResponse } from './dto/agent-chat-response.dto';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Same as the body `client_message_id` (both must agree when both are sent): a retried send ' +
    'replays the first answer, marked `Idempotent-Replayed: true` (docs/chat-idempotency.md).',
};

/**
 * `POST /api/v1/chat` and `POST /api/v1/chat/stream`. Chat writes conversations of its caller: a
 * user, or a tenant-bound service account with `conversations:write` (decision C12). Guards (auth, scopes) and
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
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: AgentChatResponse })
  async chatWithAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AgentChatRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AgentChatResponse> {
    return this.requests.chat(principal, body, response, idempotencyKey);
  }

  /** The legacy SSE stream, written by hand on the Express response (hence `@Res()`). */
  @Post('stream')
  @HttpCode(200)
  @RequireScopes('conversations:write')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'Server-Sent Events: `data: {chunk, conversation_id, ...}`' })
  async streamChatWithAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AgentChatRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.requests.stream(principal, body, { request, response }, idempotencyKey);
  }
}

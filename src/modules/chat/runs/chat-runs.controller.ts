import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequireScopes, type Principal } from '../../auth';
import { conversationOwnerOf } from '../../conversations';
import { ChatRunView } from '../dto/chat-run-view.dto';
import { resumePointOf } from './chat-run-resume-point';
import { ChatRunsService } from './chat-runs.service';

/**
 * `POST /api/v1/chat/runs/{run_id}/cancel` and `GET /api/v1/chat/runs/{run_id}/stream` (decision
 * C11): stop a run or resume its stream, from any replica. Runs belong to whoever started them.
 */
@ApiTags('api', 'chat')
@Controller('api/v1/chat/runs')
export class ChatRunsController {
  constructor(private readonly runs: ChatRunsService) {}

  @Post(':run_id/cancel')
  @HttpCode(200)
  @RequireScopes('conversations:write')
  @ApiOkResponse({ type: ChatRunView, description: 'Stopped (or had already ended)' })
  @ApiAcceptedResponse({ type: ChatRunView, description: 'Still stopping after 3 s' })
  async cancelRun(
    @CurrentPrincipal() principal: Principal,
    @Param('run_id') runId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ChatRunView> {
    const { view, stopped } = await this.runs.cancel(conversationOwnerOf(principal), runId);
    if (!stopped) response.status(202);
    return view;
  }

  /** Written by hand on the Express response (hence `@Res()`), like `POST /chat/stream`. */
  @Get(':run_id/stream')
  @RequireScopes('conversations:read')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Wins over the query' })
  @ApiQuery({ name: 'last_event_id', required: false, description: 'Resume after this event_id' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The frames of `POST /chat/stream` after the given event id' })
  async resumeRunStream(
    @CurrentPrincipal() principal: Principal,
    @Param('run_id') runId: string,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Query('last_event_id') lastEventIdQuery: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const after = resumePointOf(lastEventIdHeader, lastEventIdQuery);
    await this.runs.resume(conversationOwnerOf(principal), runId, after, { request, response });
  }
}

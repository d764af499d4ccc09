import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents';
import { ConversationsModule } from '../conversations';
import { ToolsModule } from '../tools';
import { ChatController } from './chat.controller';
import { ChatEntitlementsRegistry } from './chat-entitlements.port';
import { ChatIdempotency } from './chat-idempotency.service';
import { ChatMetrics } from './chat.metrics';
import { ChatRateLimits } from './chat-rate-limits.service';
import { ChatRequestService } from './chat-request.service';
import { ChatStreamService } from './chat-stream.service';
import { ChatService } from './chat.service';
import { ChatRunRegistry } from './runs/chat-run-registry.service';
import { ChatRunsController } from './runs/chat-runs.controller';
import { ChatRunsService } from './runs/chat-runs.service';

/**
 * Chat: `POST /api/v1/chat` and its `/stream` variant, the request order (ChatRequestService), the
 * turn service (run, persist, usage), the stream writer, the chat rate limits and the plan
 * entitlements port (billing registers its implementation), and the runs: their registry, cancel
 * and resumed streams (`/api/v1/chat/runs`).
 */
@Module({
  imports: [AgentsModule, ConversationsModule, ToolsModule],
  controllers: [ChatController, ChatRunsController],
  providers: [
    ChatRequestService,
    ChatService,
    ChatStreamService,
    ChatRateLimits,
    ChatMetrics,
    ChatEntitlementsRegistry,
    ChatIdempotency,
    ChatRunRegistry,
    ChatRunsService,
  ],
  exports: [ChatService, ChatEntitlementsRegistry],
})
export class ChatModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationSearchService } from './conversation-search.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { AgentConversationEntity } from './entities/agent-conversation.entity';
import { AgentMessageEntity } from './entities/agent-message.entity';
import { SdkAgentSessionMessageEntity } from './entities/sdk-agent-session-message.entity';
import { SdkAgentSessionEntity } from './entities/sdk-agent-session.entity';
import { AgentSessionRepository } from './sessions/agent-session.repository';
import { TranscriptService } from './transcript.service';
import { TurnUsageRecorderRegistry } from './turn-usage.port';

/**
 * Conversations: the transcript tables, the Agents SDK memory on Postgres, and the
 * `/api/v1/conversations` routes. Chat writes turns through `TranscriptService`; tools and agents
 * read through `ConversationSearchService`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AgentConversationEntity,
      AgentMessageEntity,
      SdkAgentSessionEntity,
      SdkAgentSessionMessageEntity,
    ]),
  ],
  controllers: [ConversationsController],
  providers: [
    ConversationRepository,
    AgentSessionRepository,
    ConversationsService,
    TranscriptService,
    ConversationSearchService,
    TurnUsageRecorderRegistry,
  ],
  exports: [TranscriptService, ConversationSearchService, TurnUsageRecorderRegistry],
})
export class ConversationsModule {}

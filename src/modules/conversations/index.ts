/** The conversations module's public surface. */
export { ConversationsModule } from './conversations.module';
export {
  conversationOwnerOf,
  serviceAccountOwnerId,
  type ConversationOwner,
} from './conversation-owner';
export {
  CONVERSATION_NAMESPACE,
  mapConversationId,
  parseReferenceUuid,
  type ConversationRef,
} from './conversation-id';
export { ConversationSearchService } from './conversation-search.service';
export { TranscriptService, type OpenTurn } from './transcript.service';
export {
  TurnUsageRecorderRegistry,
  type TurnUsageEntry,
  type TurnUsageRecorder,
} from './turn-usage.port';
export type {
  AgentUsageStats,
  MessageStatus,
  SearchHit,
  StoredMessage,
  TokenCounts,
} from './conversation.repository';

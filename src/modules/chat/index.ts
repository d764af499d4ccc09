/** The chat module's public surface. */
export { ChatModule } from './chat.module';
export { ChatService } from './chat.service';
export { ChatErrorCode } from './chat.errors';
export type { TurnPlan, TurnResult, TurnUsage } from './chat-turn';
export {
  ChatEntitlementsRegistry,
  type ChatAdmission,
  type ChatAllowance,
  type ChatEntitlementsPort,
  type ChatQuotaRefusal,
} from './chat-entitlements.port';

import { Injectable } from '@nestjs/common';
import type { ChatAdmission, ChatEntitlementsPort } from '../../chat';
import { ChatQuotaCounter } from './chat-quota.counter';
import { EntitlementsService } from './entitlements.service';

/** The toggle that offers the web-search tool (billing_plans.feature_toggles). */
export const WEB_SEARCH_FEATURE = 'enable_web_search';

/**
 * Billing's side of chat's entitlements port: the tenant's (cached) entitlements decide the
 * tools, and its period consumption (one Redis read, none when the plan is unlimited) against
 * the chat-token limit decides admission.
 */
@Injectable()
export class ChatEntitlementsAdapter implements ChatEntitlementsPort {
  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly counter: ChatQuotaCounter,
  ) {}

  async admit(tenantId: string): Promise<ChatAdmission> {
    const current = await this.entitlements.current(tenantId);
    const allowance = { webSearch: current.features[WEB_SEARCH_FEATURE] === true };
    const limit = current.limits.chatTokens;
    if (limit === null) return { admitted: true, allowance };
    const used = await this.counter.used(tenantId, current.chatFeatureKey, current.period);
    if (used < limit) return { admitted: true, allowance };
    return {
      admitted: false,
      refusal: { feature: current.chatFeatureKey, limit, used, periodEnd: current.period.end },
    };
  }

  consumed(tenantId: string, tokens: number): void {
    void this.entitlements.current(tenantId).then(
      (current) => this.counter.add(tenantId, current.chatFeatureKey, current.period, tokens),
      () => undefined,
    );
  }
}

import { Injectable } from '@nestjs/common';

/** What a tenant's plan lets one chat turn do, decided before the model is called. */
export interface ChatAllowance {
  /** Whether the web-search tool is offered to the model in this turn. */
  webSearch: boolean;
}

/** The tenant has used its chat quota for the period: the turn is refused. */
export interface ChatQuotaRefusal {
  feature: string;
  limit: number;
  used: number;
  /** When the period (and so the quota) renews. */
  periodEnd: Date;
}

export type ChatAdmission =
  { admitted: true; allowance: ChatAllowance } | { admitted: false; refusal: ChatQuotaRefusal };

/**
 * Plan entitlements as chat needs them. Billing owns plans, quotas and consumption and
 * implements this port (chat imports no billing internals, and billing may be off); the
 * admission check must not cost a database round trip per turn.
 */
export interface ChatEntitlementsPort {
  admit(tenantId: string): Promise<ChatAdmission>;
  /** A turn's token usage, counted toward the tenant's quota (after the reply is stored). */
  consumed(tenantId: string, tokens: number): void;
}

const UNLIMITED: ChatAdmission = { admitted: true, allowance: { webSearch: true } };

/** Holds billing's implementation; without billing every turn is admitted with every tool. */
@Injectable()
export class ChatEntitlementsRegistry {
  private port?: ChatEntitlementsPort;

  register(port: ChatEntitlementsPort): void {
    this.port = port;
  }

  admit(tenantId: string): Promise<ChatAdmission> {
    return this.port ? this.port.admit(tenantId) : Promise.resolve(UNLIMITED);
  }

  consumed(tenantId: string, tokens: number): void {
    if (tokens > 0) this.port?.consumed(tenantId, tokens);
  }
}

import { Injectable } from '@nestjs/common';

/**
 * How many seats a tenant has paid for: the subscription's `seat_count`, owned by billing.
 * Auth declares the port and billing implements it (auth imports no feature module), the way
 * signup's billing port works.
 */
export interface SeatLimitPort {
  /** The tenant's seat count, or null when nothing limits it (no subscription, no seat count). */
  seatLimit(tenantId: string): Promise<number | null>;
}

/** Holds billing's implementation of the port; without billing, tenants have no seat limit. */
@Injectable()
export class SeatLimitRegistry {
  private port?: SeatLimitPort;

  register(port: SeatLimitPort): void {
    this.port = port;
  }

  /** The seat limit, or null when billing is off or sets none. */
  async seatLimit(tenantId: string): Promise<number | null> {
    return this.port ? this.port.seatLimit(tenantId) : null;
  }
}

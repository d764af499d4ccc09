import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../health/with-timeout';
import type { RedisService } from '../redis/redis.service';

const SUBSCRIBE_TIMEOUT_MS = 2000;

/**
 * Delivers eviction signals to the holders of concurrency leases in this process. The acquire
 * script that evicts a lease also PUBLISHes its member on one channel (atomically, in the same
 * script); every replica subscribes once (a dedicated connection, lazily on the first evictable
 * lease) and stops the holder whose member it finds here. A signal lost while the subscriber is
 * reconnecting is caught by the lease heartbeat, which finds the member gone.
 */
export class LeaseEvictions {
  private readonly holders = new Map<string, () => void>();
  private subscribed?: Promise<boolean>;

  constructor(
    private readonly redis: RedisService,
    readonly channel: string,
    private readonly log: Logger,
  ) {}

  /**
   * Registers a holder before its lease exists, so no signal can arrive unheard; the first
   * call subscribes. While Redis is unreachable it does not wait (the acquire fails open).
   */
  async watch(member: string, onEvicted: () => void): Promise<void> {
    this.holders.set(member, onEvicted);
    if (!this.redis.embedded && this.redis.client.status !== 'ready') return;
    await this.ready();
  }

  unwatch(member: string): void {
    this.holders.delete(member);
  }

  /** Stops the local holder of `member` (once); unknown members belong to other replicas. */
  evicted(member: string): void {
    const holder = this.holders.get(member);
    if (!holder) return;
    this.holders.delete(member);
    holder();
  }

  private ready(): Promise<boolean> {
    this.subscribed ??= this.subscribe();
    return this.subscribed;
  }

  private async subscribe(): Promise<boolean> {
    const connection: Redis = this.redis.createConnection('rate-limit-evictions');
    connection.on('message', (channel: string, member: string) => {
      if (channel === this.channel) this.evicted(member);
    });
    try {
      await withTimeout(connection.subscribe(this.channel), SUBSCRIBE_TIMEOUT_MS);
      return true;
    } catch (error) {
      this.log.warn(
        { err: error, channel: this.channel },
        'Lease eviction channel unavailable; evicted streams stop at their next heartbeat',
      );
      this.subscribed = undefined;
      connection.disconnect();
      return false;
    }
  }
}

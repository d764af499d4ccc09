import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { RedisService } from '../../../platform/redis/redis.service';
import type { ClientInfo } from '../client/client-info';

/** The Redis record of a token; the secret itself is never stored. */
export interface OneTimeTokenRecord {
  token_id: string;
  user_id: string;
  email: string;
  hashed_secret: string;
  created_at: string;
  expires_at: string;
  fingerprint: string | null;
}

export interface MintedToken {
  /** `<token_id>.<secret>`: goes into the link, nowhere else. */
  token: string;
  tokenId: string;
  expiresAt: Date;
}

/**
 * Consumes a token only if it is still the user's newest one: atomic check + GET + DEL (the
 * reference's get-then-delete was not atomic). KEYS: record, user pointer.
 */
const CONSUME_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1], KEYS[2]) end
return value
`;

/**
 * Single-use email tokens (decision A6): `<32 hex id>.<64 hex secret>`, stored hashed
 * (SHA-256 of `<pepper>:<secret>`) under `<prefix>:<id>` with a TTL. A per-user pointer
 * `<prefix>:user:<user_id>` names the newest token: minting a new one, or `invalidateUser`
 * (password change), makes every older token useless.
 */
export abstract class OneTimeTokenStore {
  constructor(private readonly redis: RedisService) {}

  /** `auth:pwdreset` or `auth:emailverify`. */
  protected abstract readonly prefix: string;
  protected abstract pepper(): string;
  protected abstract ttlSeconds(): number;

  async mint(user: { id: string; email: string }, client: ClientInfo): Promise<MintedToken> {
    const tokenId = randomUUID().replace(/-/g, '');
    const secret = randomBytes(32).toString('hex');
    const createdAt = new Date();
    const ttl = this.ttlSeconds();
    const expiresAt = new Date(createdAt.getTime() + ttl * 1000);
    const record: OneTimeTokenRecord = {
      token_id: tokenId,
      user_id: user.id,
      email: user.email,
      hashed_secret: this.hashSecret(secret),
      created_at: createdAt.toISOString(),
      expires_at: expiresAt.toISOString(),
      fingerprint:
        client.ip || client.userAgent
          ? createHash('sha256')
              .update(`${client.ip ?? ''}:${client.userAgent ?? ''}`)
              .digest('hex')
          : null,
    };
    const previous = await this.redis.client.get(this.pointerKey(user.id));
    const tx = this.redis.client
      .multi()
      .set(this.recordKey(tokenId), JSON.stringify(record), 'EX', ttl)
      .set(this.pointerKey(user.id), tokenId, 'EX', ttl);
    if (previous) tx.del(this.recordKey(previous));
    await tx.exec();
    return { token: `${tokenId}.${secret}`, tokenId, expiresAt };
  }

  /** Splits `<id>.<secret>`; null when either part is missing. */
  parse(token: string): { tokenId: string; secret: string } | null {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot === token.length - 1) return null;
    return { tokenId: token.slice(0, dot), secret: token.slice(dot + 1) };
  }

  /**
   * The record of a valid token without consuming it: the secret matches, it is the user's
   * newest token, and it has not expired. Null otherwise.
   */
  async peek(parsed: { tokenId: string; secret: string }): Promise<OneTimeTokenRecord | null> {
    if (!/^[0-9a-f]{32}$/.test(parsed.tokenId)) return null;
    const raw = await this.redis.client.get(this.recordKey(parsed.tokenId));
    const record = raw ? this.decode(raw) : null;
    if (!record || !this.secretMatches(record, parsed.secret)) return null;
    if (Date.parse(record.expires_at) <= Date.now()) return null;
    const newest = await this.redis.client.get(this.pointerKey(record.user_id));
    return newest === record.token_id ? record : null;
  }

  /** Deletes the token if it is still the newest; false when it was used or replaced meanwhile. */
  async consume(record: OneTimeTokenRecord): Promise<boolean> {
    const value = await this.redis.client.eval(
      CONSUME_SCRIPT,
      2,
      this.recordKey(record.token_id),
      this.pointerKey(record.user_id),
      record.token_id,
    );
    return typeof value === 'string';
  }

  /** Makes every outstanding token of the user useless (password changed). */
  async invalidateUser(userId: string): Promise<void> {
    const current = await this.redis.client.get(this.pointerKey(userId));
    const keys = [this.pointerKey(userId)];
    if (current) keys.push(this.recordKey(current));
    await this.redis.client.del(...keys);
  }

  private secretMatches(record: OneTimeTokenRecord, secret: string): boolean {
    const expected = Buffer.from(record.hashed_secret, 'utf8');
    const actual = Buffer.from(this.hashSecret(secret), 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private hashSecret(secret: string): string {
    return createHash('sha256').update(`${this.pepper()}:${secret}`, 'utf8').digest('hex');
  }

  private decode(raw: string): OneTimeTokenRecord | null {
    try {
      const value = JSON.parse(raw) as Partial<OneTimeTokenRecord>;
      return typeof value.user_id === 'string' &&
        typeof value.hashed_secret === 'string' &&
        typeof value.token_id === 'string'
        ? (value as OneTimeTokenRecord)
        : null;
    } catch {
      return null;
    }
  }

  private recordKey(tokenId: string): string {
    return `${this.prefix}:${tokenId}`;
  }

  private pointerKey(userId: string): string {
    return `${this.prefix}:user:${userId}`;
  }
}

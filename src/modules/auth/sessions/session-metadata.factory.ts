import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { storableUserAgent, type ClientInfo } from '../client/client-info';
import { Fernet } from './fernet';
import { GeoLookup, type GeoLocation } from './geo-lookup';
import { hashIp, maskIp } from '../client/ip-address';
import { classifyUserAgent } from '../client/user-agent';

/** The device columns of a `user_sessions` row. */
export interface SessionMetadata {
  fingerprint: string | null;
  ipHash: string | null;
  ipMasked: string | null;
  ipEncrypted: Buffer | null;
  userAgent: string | null;
  clientPlatform: string | null;
  clientBrowser: string | null;
  clientDevice: string | null;
  location: GeoLocation | null;
}

/**
 * Derives what a session stores about its client. Unlike the reference, the fingerprint is a keyed
 * SHA-256 digest (HMAC with the IP hash salt, 64 hex characters), never the reversible base64 of
 * `ip:user-agent`. `ip_encrypted` stays Fernet, as the reference wrote it, so either implementation
 * can read the other's rows.
 */
@Injectable()
export class SessionMetadataFactory {
  private readonly log: Logger;
  private readonly fernet: Fernet;

  constructor(
    private readonly config: AppConfig,
    private readonly geo: GeoLookup,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
    this.fernet = Fernet.fromSecret(config.sessionEncryptionKey);
  }

  async describe(client: ClientInfo): Promise<SessionMetadata> {
    const classified = classifyUserAgent(client.userAgent);
    return {
      fingerprint: this.fingerprint(client),
      ipHash: hashIp(this.config.sessionIpHashSalt, client.ip),
      ipMasked: maskIp(client.ip),
      ipEncrypted: client.ip ? Buffer.from(this.fernet.encrypt(client.ip), 'ascii') : null,
      userAgent: storableUserAgent(client.userAgent),
      clientPlatform: classified.platform,
      clientBrowser: classified.browser,
      clientDevice: classified.device,
      location: await this.locate(client.ip),
    };
  }

  /** HMAC-SHA256 of `<ip>:<user agent>` keyed by the IP salt; null when both are unknown. */
  fingerprint(client: ClientInfo): string | null {
    if (!client.ip && !client.userAgent) return null;
    return createHmac('sha256', this.config.sessionIpHashSalt)
      .update(`${client.ip ?? ''}:${client.userAgent ?? ''}`, 'utf8')
      .digest('hex');
  }

  /** The stored IP of a session, for operators (never returned by the API). */
  decryptIp(encrypted: Buffer | null): string | null {
    return encrypted ? this.fernet.decrypt(encrypted.toString('ascii')) : null;
  }

  private async locate(ip: string | null): Promise<GeoLocation | null> {
    if (!ip) return null;
    try {
      const found = await this.geo.lookup(ip);
      return found && (found.city || found.region || found.country) ? found : null;
    } catch (error) {
      logEvent(this.log, 'warn', 'auth.session_geo_lookup', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      return null;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import type { ValidationIssue } from '../../../platform/http/validation/validation-issue';

/** Added to the default allow-list outside production (a local frontend). */
export const LOCAL_FRONTEND_ORIGIN = 'http://localhost:3000';

/**
 * Which origins Stripe may send a customer back to (Checkout success/cancel, Portal return):
 * `BILLING_REDIRECT_ALLOWED_ORIGINS`, or by default the frontend (`EMAIL_LINK_BASE_URL`'s origin)
 * plus `http://localhost:3000` outside production. Origins are compared exactly (scheme, host,
 * port); production also requires https. Without this check our own Stripe-branded redirect
 * could send a customer to any site.
 */
@Injectable()
export class RedirectAllowList {
  readonly origins: ReadonlySet<string>;
  private readonly httpsOnly: boolean;

  constructor(config: AppConfig) {
    this.httpsOnly = config.isProduction;
    const configured = config.BILLING_REDIRECT_ALLOWED_ORIGINS.map((entry) => entry.trim()).filter(
      Boolean,
    );
    const defaults = [
      config.EMAIL_LINK_BASE_URL,
      ...(config.isProduction ? [] : [LOCAL_FRONTEND_ORIGIN]),
    ];
    this.origins = new Set(
      (configured.length > 0 ? configured : defaults)
        .map(originOf)
        .filter((origin): origin is string => origin !== null),
    );
  }

  /** The issue to report for `url` in body field `field`, or null when it may be used. */
  check(field: string, url: string): ValidationIssue | null {
    const loc = ['body', field];
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { type: 'url_parsing', loc, msg: 'Input should be a valid URL', input: url };
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      return {
        type: 'url_scheme',
        loc,
        msg: "URL scheme should be 'http' or 'https'",
        input: url,
        ctx: { expected_schemes: "'http' or 'https'" },
      };
    }
    if (this.httpsOnly && parsed.protocol !== 'https:') {
      return {
        type: 'url_scheme',
        loc,
        msg: "URL scheme should be 'https'",
        input: url,
        ctx: { expected_schemes: "'https'" },
      };
    }
    if (parsed.username || parsed.password || !this.origins.has(parsed.origin)) {
      return {
        type: 'value_error',
        loc,
        msg: 'Value error, URL origin is not allowed for billing redirects',
        input: url,
      };
    }
    return null;
  }
}

function originOf(value: string): string | null {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { storableText } from '../../../platform/http';
import { normalizeIp } from './ip-address';

/** Longest user agent we keep (the 512-character columns); longer ones are cut. */
export const USER_AGENT_MAX_LENGTH = 512;

/** Who is on the other end of a request, as sessions, login events and quotas see it. */
export interface ClientInfo {
  /** `request.ip`: the peer, or the X-Forwarded-For client when the peer is a trusted proxy. */
  ip: string | null;
  /** Trimmed `User-Agent`, untruncated (truncate when storing). */
  userAgent: string | null;
}

export function clientInfoFrom(request: Request): ClientInfo {
  const userAgent = request.header('user-agent')?.trim();
  return { ip: normalizeIp(request.ip), userAgent: userAgent || null };
}

/**
 * A user agent made storable: NUL and lone surrogates cleaned (Node's HTTP parser already
 * refuses NUL in headers; this holds whatever parser runs), then cut to fit its column.
 */
export function storableUserAgent(userAgent: string | null): string | null {
  const text = userAgent ? storableText(userAgent) : null;
  if (!text) return null;
  // Code points, not UTF-16 units: a cut never splits a surrogate pair.
  return text.length <= USER_AGENT_MAX_LENGTH
    ? text
    : [...text].slice(0, USER_AGENT_MAX_LENGTH).join('');
}

/** The request's `ClientInfo` as a handler argument. */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfoFrom(context.switchToHttp().getRequest<Request>()),
);

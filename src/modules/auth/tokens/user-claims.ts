import { randomUUID } from 'node:crypto';
import { scopesForRole } from '../scopes/scope-policy';
import type { TokenClaims } from './token.service';

export interface UserTokenSubject {
  userId: string;
  tenantId: string;
  role: string;
  emailVerified: boolean;
  sessionId: string;
}

/** Human access-token claims; `aud` is the configured audience list. */
export function userAccessClaims(subject: UserTokenSubject, audience: string[]): TokenClaims {
  return {
    sub: `user:${subject.userId}`,
    tenant_id: subject.tenantId,
    roles: [subject.role],
    scope: scopesForRole(subject.role).join(' '),
    token_use: 'access',
    aud: audience,
    jti: randomUUID(),
    email_verified: subject.emailVerified,
    sid: subject.sessionId,
  };
}

/** Human refresh-token claims: no `aud`, no `roles`, plus `account`. */
export function userRefreshClaims(subject: UserTokenSubject): TokenClaims {
  return {
    sub: `user:${subject.userId}`,
    tenant_id: subject.tenantId,
    scope: scopesForRole(subject.role).join(' '),
    token_use: 'refresh',
    email_verified: subject.emailVerified,
    jti: randomUUID(),
    account: `user:${subject.userId}`,
    sid: subject.sessionId,
  };
}

import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../platform/observability/request-context';
import { AuthErrorCode, AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { scopesForRole, scopesFromClaims } from '../scopes/scope-policy';
import { SessionStateService } from '../sessions/session-state.service';
import { TokenRejectedError, TokenService, type TokenClaims } from '../tokens/token.service';
import { isUuid } from '../../../platform/ids';

/**
 * Turns a bearer token into a `Principal`, in the reference's check order:
 * signature/kid/iss/aud/time, then `token_use`, then the subject; plus what the reference never
 * did: a revoked session (`sid`) kills its access tokens at once (decision A3).
 */
@Injectable()
export class BearerVerifier {
  /**
   * Principals derived from verified claims. The token service returns the same claims object
   * for a token it has already verified, so the principal is built once per token, not per request.
   */
  private readonly principals = new WeakMap<TokenClaims, Principal>();

  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionStateService,
  ) {}

  async authenticate(token: string): Promise<Principal> {
    let claims: TokenClaims;
    try {
      claims = await this.tokens.verify(token, { requireAudience: true });
    } catch (error) {
      if (error instanceof TokenRejectedError) throw AuthException.invalidToken();
      throw error;
    }
    if (claims.token_use !== 'access') {
      throw AuthException.bearer('Access token required.', AuthErrorCode.AccessTokenRequired);
    }
    let principal = this.principals.get(claims);
    if (!principal) {
      principal = Object.freeze(this.principalFrom(claims));
      this.principals.set(claims, principal);
    }
    if (principal.sessionId) {
      const state = await this.sessions.state(principal.sessionId);
      if (!state.active) {
        throw AuthException.bearer('Session has been revoked.', AuthErrorCode.SessionRevoked);
      }
      if (state.role && !sameRole(principal.roles, state.role)) {
        principal = withCurrentRole(principal, state.role);
      }
    }
    RequestContext.setPrincipal(
      principal.userId ?? principal.subject,
      principal.tenantId ?? undefined,
    );
    return principal;
  }

  private principalFrom(claims: TokenClaims): Principal {
    const subject = claims.sub;
    const userId = subject.startsWith('user:') ? subject.slice(5) : null;
    const account = subject.startsWith('service-account:') ? subject.slice(16) : null;
    if (userId !== null && !isUuid(userId)) throw AuthException.invalidToken();
    if (userId === null && !account) {
      throw AuthException.bearer(
        'Token subject must reference a user account.',
        AuthErrorCode.UserSubjectRequired,
      );
    }
    const roles = claims.roles;
    return {
      kind: userId !== null ? 'user' : 'service_account',
      subject,
      userId: userId?.toLowerCase() ?? null,
      account,
      tenantId: typeof claims.tenant_id === 'string' && claims.tenant_id ? claims.tenant_id : null,
      roles: Array.isArray(roles)
        ? roles.filter((r): r is string => typeof r === 'string')
        : typeof roles === 'string'
          ? [roles]
          : [],
      scopes: scopesFromClaims(claims),
      emailVerified:
        typeof claims.email_verified === 'boolean'
          ? claims.email_verified
          : claims.email_verified === undefined
            ? undefined
            : Boolean(claims.email_verified),
      sessionId: typeof claims.sid === 'string' ? claims.sid : null,
      tokenId: claims.jti,
      payload: claims,
    };
  }
}

function sameRole(roles: readonly string[], role: string): boolean {
  return roles.length === 1 && roles[0].trim().toLowerCase() === role.trim().toLowerCase();
}

/**
 * The principal acting with the user's current role in the token's tenant, as the session state
 * knows it (a member's role was changed after the token was issued): roles and scopes are those
 * the role grants today, in the claims too, so every guard and `/auth/me` see the same rights.
 */
function withCurrentRole(principal: Principal, role: string): Principal {
  const scopes = scopesForRole(role);
  return Object.freeze({
    ...principal,
    roles: [role],
    scopes,
    payload: { ...principal.payload, roles: [role], scope: scopes.join(' ') },
  });
}

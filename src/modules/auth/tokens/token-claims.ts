import type { JWTPayload } from 'jose';

/** `access`, `refresh`, or another use a future token type defines. */
export type TokenUse = string;

/** Claims we put in tokens; `iat`, `nbf`, `exp`, `iss` are set by the signer. */
export interface TokenClaims extends JWTPayload {
  sub: string;
  token_use: TokenUse;
  jti: string;
  [claim: string]: unknown;
}

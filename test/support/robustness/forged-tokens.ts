import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { KeysetService } from '../../../src/modules/auth/keys/keyset.service';
import type { PublicJwk } from '../../../src/modules/auth/keys/key-material';
import { AppConfig } from '../../../src/platform/config/app-config';
import type { TestApp } from '../test-app';

/**
 * What a token forger works with: the app's real active signing key (to build tokens that are
 * authentic in every respect but one), its public JWK (what an attacker has), and an attacker's
 * own Ed25519 key pair.
 */
export interface ForgeKit {
  kid: string;
  privateKey: KeyLike;
  publicJwk: PublicJwk;
  issuer: string;
  audience: string[];
  attacker: { privateKey: KeyLike; publicJwk: JWK };
}

export async function forgeKit(t: TestApp): Promise<ForgeKit> {
  const signer = await t.app.get(KeysetService).signer();
  if (!signer) throw new Error('the test app has no active signing key');
  const config = t.app.get(AppConfig);
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return {
    kid: signer.material.kid,
    privateKey: signer.key,
    publicJwk: signer.material.public_jwk,
    issuer: config.APP_NAME,
    audience: config.AUTH_AUDIENCE,
    attacker: { privateKey: pair.privateKey, publicJwk: await exportJWK(pair.publicKey) },
  };
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs `payload` (used as given: no claims added) with `key` (the real one by default). */
export async function signWith(
  kit: ForgeKit,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: KeyLike | Uint8Array = kit.privateKey,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: kit.kid, typ: 'JWT', ...header })
    .sign(key);
}

/**
 * `header.payload` signed with the real Ed25519 key by node:crypto, for headers jose refuses to
 * produce (unknown `crit` extensions, non-string kids): authentic signature, hostile header.
 */
export function signRawHeader(
  kit: ForgeKit,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = sign(null, Buffer.from(input), kit.privateKey as unknown as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

/** `header.payload.` with the given raw signature (no signing at all). */
export function unsignedToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/** HS256 over `header.payload` with `secret` (the algorithm-confusion attack). */
export async function hs256(
  kit: ForgeKit,
  payload: Record<string, unknown>,
  secret: Uint8Array,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: kit.kid, typ: 'JWT' })
    .sign(secret);
}

/** The public key in the forms an algorithm-confusion attacker would try as the HMAC secret. */
export async function publicKeySecrets(kit: ForgeKit): Promise<Record<string, Uint8Array>> {
  const pem = createPublicKey({ key: { ...kit.publicJwk }, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  return {
    'the JWK JSON': Buffer.from(JSON.stringify(kit.publicJwk)),
    'the raw x bytes': Buffer.from(kit.publicJwk.x, 'base64url'),
    'the SPKI PEM': Buffer.from(String(pem)),
  };
}

/** The token with one byte of its signature flipped. */
export function flipSignatureByte(token: string, index = 0): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[index % bytes.length] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The token's payload replaced (same header and signature). */
export function replacePayload(
  token: string,
  change: (claims: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${header}.${b64url(change(claims))}.${signature}`;
}

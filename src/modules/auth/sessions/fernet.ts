import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;

/**
 * Fernet (https://github.com/fernet/spec), the format of the reference's `ip_encrypted`, so rows
 * written by either implementation stay readable: AES-128-CBC + HMAC-SHA256, token
 * `0x80 | ts(8) | iv(16) | ciphertext | hmac(32)` in padded base64url. Like the reference, the
 * key is base64url(SHA-256(secret)) of an arbitrary secret string (see `fromSecret`).
 */
export class Fernet {
  private readonly signingKey: Buffer;
  private readonly encryptionKey: Buffer;

  /** `key`: 32 raw bytes (signing half, then encryption half). */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('Fernet key must be 32 bytes');
    this.signingKey = key.subarray(0, 16);
    this.encryptionKey = key.subarray(16);
  }

  /** The reference's derivation: the SHA-256 digest of the configured secret is the key. */
  static fromSecret(secret: string): Fernet {
    return new Fernet(createHash('sha256').update(secret, 'utf8').digest());
  }

  /** A standard Fernet key string (base64url of 32 bytes). */
  static fromKeyString(key: string): Fernet {
    return new Fernet(Buffer.from(key, 'base64url'));
  }

  encrypt(plaintext: string, now = new Date(), iv = randomBytes(16)): string {
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(Math.floor(now.getTime() / 1000)));
    const cipher = createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const body = Buffer.concat([Buffer.from([VERSION]), timestamp, iv, ciphertext]);
    const mac = createHmac('sha256', this.signingKey).update(body).digest();
    return Buffer.concat([body, mac])
      .toString('base64url')
      .padEnd(Math.ceil((body.length + mac.length) / 3) * 4, '=');
  }

  /** The plaintext, or null when the token is malformed or its HMAC does not match. */
  decrypt(token: string): string | null {
    const data = Buffer.from(token.replace(/=+$/, ''), 'base64url');
    if (data.length < 1 + 8 + 16 + 16 + 32 || data[0] !== VERSION) return null;
    const body = data.subarray(0, data.length - 32);
    const mac = data.subarray(data.length - 32);
    const expected = createHmac('sha256', this.signingKey).update(body).digest();
    if (!timingSafeEqual(mac, expected)) return null;
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.encryptionKey, body.subarray(9, 25));
      return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

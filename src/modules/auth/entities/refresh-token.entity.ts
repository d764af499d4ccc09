import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * `service_account_tokens`: every refresh token, human (`account = user:<uuid>`, with a session) or
 * service account (catalog slug). The table name is historical.
 */
@Entity({ name: 'service_account_tokens' })
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128 })
  account: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ name: 'scope_key', type: 'varchar', length: 256 })
  scopeKey: string;

  @Column({ type: 'jsonb' })
  scopes: string[];

  /** `hmac-sha256$<hex>` of the full token (legacy rows: bcrypt `$2b$...`). */
  @Column({ name: 'refresh_token_hash', type: 'text' })
  refreshTokenHash: string;

  @Column({ name: 'refresh_jti', type: 'varchar', length: 64, unique: true })
  refreshJti: string;

  @Column({ name: 'signing_kid', type: 'varchar', length: 64 })
  signingKid: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  fingerprint: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 256, nullable: true })
  revokedReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

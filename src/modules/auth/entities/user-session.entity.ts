import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `user_sessions`: one row per device session; its id is the tokens' `sid`. */
@Entity({ name: 'user_sessions' })
export class UserSessionEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'refresh_jti', type: 'varchar', length: 64 })
  refreshJti: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  fingerprint: string | null;

  @Column({ name: 'ip_hash', type: 'varchar', length: 128, nullable: true })
  ipHash: string | null;

  @Column({ name: 'ip_encrypted', type: 'bytea', nullable: true })
  ipEncrypted: Buffer | null;

  @Column({ name: 'ip_masked', type: 'varchar', length: 64, nullable: true })
  ipMasked: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'client_platform', type: 'varchar', length: 64, nullable: true })
  clientPlatform: string | null;

  @Column({ name: 'client_browser', type: 'varchar', length: 64, nullable: true })
  clientBrowser: string | null;

  @Column({ name: 'client_device', type: 'varchar', length: 32, nullable: true })
  clientDevice: string | null;

  @Column({ name: 'location_city', type: 'varchar', length: 128, nullable: true })
  locationCity: string | null;

  @Column({ name: 'location_region', type: 'varchar', length: 128, nullable: true })
  locationRegion: string | null;

  @Column({ name: 'location_country', type: 'varchar', length: 64, nullable: true })
  locationCountry: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 256, nullable: true })
  revokedReason: string | null;
}

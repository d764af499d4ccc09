import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { UserProvisioningService } from '../../../modules/auth';

export const SEED_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type SeedRole = (typeof SEED_ROLES)[number];

/** Reference slug shape: lower-case alphanumeric runs joined by single dashes. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SeedUserInput {
  email: string;
  /** Asked for only when the user must be created (a re-run never prompts). */
  password: () => Promise<string>;
  tenantSlug: string;
  tenantName: string;
  role: SeedRole;
  verified: boolean;
  locked: boolean;
  displayName: string | null;
}

export interface SeedUserResult {
  created: boolean;
  user_id: string;
  email: string;
  tenant_id: string;
  tenant_slug: string;
  tenant_created: boolean;
  role: string;
  status: string;
  email_verified: boolean;
}

interface UserRow {
  id: string;
  status: string;
  email_verified_at: Date | null;
}

/**
 * `users seed`: makes sure a user exists with a membership in the tenant of `tenantSlug` (created
 * if missing). Idempotent: a re-run converges role, verification and lock state and never touches
 * an existing password. New users go through auth's provisioning service (password policy,
 * argon2id, password history).
 */
@Injectable()
export class UserSeedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly provisioning: UserProvisioningService,
  ) {}

  async seed(input: SeedUserInput): Promise<SeedUserResult> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 320) throw new Error(`invalid email '${input.email}'`);
    if (!SLUG.test(input.tenantSlug) || input.tenantSlug.length > 64) {
      throw new Error(
        '--tenant-slug must be lower-case letters, digits and single dashes (max 64)',
      );
    }
    const tenant = await this.findOrCreateTenant(input.tenantSlug, input.tenantName);
    const existing = await this.findUser(email);
    if (!existing) {
      const password = await input.password();
      if (!password) throw new Error('a password is required to create the user');
      const created = await this.provisioning.createUserWithTenant({
        email,
        password,
        tenantId: tenant.id,
        role: input.role,
        status: input.locked ? 'locked' : 'active',
        emailVerified: input.verified,
        displayName: input.displayName,
      });
      return this.result(true, created.userId, email, tenant, input.role);
    }
    await this.dataSource.transaction(async (tx) => {
      await this.upsertMembership(tx, existing.id, tenant.id, input.role);
      if (input.verified) {
        await tx.query(
          `UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()),
             updated_at = now() WHERE id = $1`,
          [existing.id],
        );
      }
      if (input.locked) {
        await tx.query(`UPDATE users SET status = 'locked', updated_at = now() WHERE id = $1`, [
          existing.id,
        ]);
      }
    });
    return this.result(false, existing.id, email, tenant, input.role);
  }

  private async result(
    created: boolean,
    userId: string,
    email: string,
    tenant: { id: string; slug: string; created: boolean },
    role: string,
  ): Promise<SeedUserResult> {
    const user = (await this.findUser(email)) as UserRow;
    return {
      created,
      user_id: userId,
      email,
      tenant_id: tenant.id,
      tenant_slug: tenant.slug,
      tenant_created: tenant.created,
      role,
      status: user.status,
      email_verified: user.email_verified_at !== null,
    };
  }

  private async findUser(email: string): Promise<UserRow | null> {
    const rows = await this.dataSource.query<UserRow[]>(
      'SELECT id, status, email_verified_at FROM users WHERE email = $1',
      [email],
    );
    return rows[0] ?? null;
  }

  private async findOrCreateTenant(
    slug: string,
    name: string,
  ): Promise<{ id: string; slug: string; created: boolean }> {
    const inserted = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO tenant_accounts (slug, name) VALUES ($1, $2)
       ON CONFLICT (slug) DO NOTHING RETURNING id`,
      [slug, name.slice(0, 128)],
    );
    if (inserted[0]) return { id: inserted[0].id, slug, created: true };
    const rows = await this.dataSource.query<{ id: string }[]>(
      'SELECT id FROM tenant_accounts WHERE slug = $1',
      [slug],
    );
    return { id: rows[0].id, slug, created: false };
  }

  private async upsertMembership(
    tx: EntityManager,
    userId: string,
    tenantId: string,
    role: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = EXCLUDED.role`,
      [userId, tenantId, role],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuthFailures } from '../auth-failures';
import type { UserStatus } from '../entities/user.entity';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordHistoryRepository } from '../passwords/password-history.repository';
import { PasswordPolicy } from '../password-policy';
import { isUniqueViolation } from '../../../platform/database';
import { SLUG_SUFFIX_ATTEMPTS, slugBase, suffixedSlug } from './tenant-slug';
import { MembershipRepository } from '../users/membership.repository';
import { TenantAccountRepository } from '../users/tenant-account.repository';
import { UserProfileRepository } from '../users/user-profile.repository';
import { UserRepository } from '../users/user.repository';

export interface ProvisionUserInput {
  email: string;
  password: string;
  /** Name of a new tenant to create (the user becomes its member). Required without `tenantId`. */
  tenantName?: string;
  /** Join this existing tenant instead of creating one. */
  tenantId?: string;
  displayName?: string | null;
  /** Membership role; default `owner`. */
  role?: string;
  /** Default `active`. */
  status?: UserStatus;
  /** Default false: the user verifies by email. */
  emailVerified?: boolean;
  /** Apply the password policy with the email as hint (400 on failure). Default true. */
  enforcePolicy?: boolean;
  /**
   * Runs inside the provisioning transaction once the user and membership exist (an invitation
   * marks itself accepted there): throwing undoes the whole account.
   */
  inTransaction?: (tx: EntityManager, user: ProvisionedUser) => Promise<void>;
}

export interface ProvisionedUser {
  userId: string;
  email: string;
  tenantId: string;
  tenantSlug: string;
  role: string;
  /** Whether this call created the tenant (undo deletes it only then). */
  createdTenant: boolean;
}

/**
 * Creates a user with a tenant membership in one transaction: optionally a new tenant with a unique
 * slug, the user (argon2id `v3` hash), a profile when a display name is given, the membership and
 * the first password-history row. Used by signup and the CLI.
 */
@Injectable()
export class UserProvisioningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly users: UserRepository,
    private readonly tenants: TenantAccountRepository,
    private readonly profiles: UserProfileRepository,
    private readonly memberships: MembershipRepository,
    private readonly history: PasswordHistoryRepository,
  ) {}

  /**
   * 409 `Email already registered.` when the email exists; 409 on slug exhaustion or a slug
   * race; 400 with the policy message when `enforcePolicy` and the password is too weak.
   */
  async createUserWithTenant(input: ProvisionUserInput): Promise<ProvisionedUser> {
    const email = input.email.trim().toLowerCase();
    if (input.enforcePolicy ?? true) {
      const violation = PasswordPolicy.violation(input.password, [email]);
      if (violation) throw AuthFailures.passwordPolicy(violation);
    }
    if (!input.tenantId && !input.tenantName?.trim()) {
      throw new Error('createUserWithTenant needs tenantName or tenantId');
    }
    // Hash before the transaction: argon2 is the slow part and must not hold a connection.
    const stored = await this.hasher.hash(input.password);
    const role = input.role ?? 'owner';
    try {
      return await this.dataSource.transaction(async (tx) => {
        if (await this.users.findByEmail(email, tx)) throw AuthFailures.emailTaken();
        const tenant = await this.tenantFor(tx, input);
        const userId = await this.users.insert(tx, {
          email,
          passwordHash: stored.hash,
          passwordVersion: stored.version,
          status: input.status ?? 'active',
          emailVerified: input.emailVerified ?? false,
        });
        const displayName = input.displayName?.trim();
        if (displayName) await this.profiles.insert(tx, { userId, displayName });
        await this.memberships.insert(tx, { userId, tenantId: tenant.id, role });
        await this.history.append(userId, stored.hash, stored.version, tx);
        const provisioned: ProvisionedUser = {
          userId,
          email,
          tenantId: tenant.id,
          tenantSlug: tenant.slug,
          role,
          createdTenant: tenant.created,
        };
        await input.inTransaction?.(tx, provisioned);
        return provisioned;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_email')) throw AuthFailures.emailTaken();
      if (isUniqueViolation(error, 'uq_tenant_accounts_slug')) throw AuthFailures.slugTaken();
      throw error;
    }
  }

  /** Undoes a provisioning (signup whose billing failed): the user and, if created, the tenant. */
  async removeProvisioned(provisioned: ProvisionedUser): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.users.delete(provisioned.userId, tx);
      if (provisioned.createdTenant) await this.tenants.delete(provisioned.tenantId, tx);
    });
  }

  private async tenantFor(
    tx: EntityManager,
    input: ProvisionUserInput,
  ): Promise<{ id: string; slug: string; created: boolean }> {
    if (input.tenantId) {
      const slug = await this.tenants.findSlug(input.tenantId, tx);
      if (slug === null) throw new Error(`Tenant ${input.tenantId} does not exist`);
      return { id: input.tenantId, slug, created: false };
    }
    const name = input.tenantName!.trim();
    const slug = await this.allocateSlug(tx, name);
    return { id: await this.tenants.insert(tx, { slug, name }), slug, created: true };
  }

  private async allocateSlug(tx: EntityManager, tenantName: string): Promise<string> {
    const base = slugBase(tenantName);
    if (!(await this.tenants.slugExists(base, tx))) return base;
    for (let attempt = 0; attempt < SLUG_SUFFIX_ATTEMPTS; attempt += 1) {
      const candidate = suffixedSlug(base);
      if (!(await this.tenants.slugExists(candidate, tx))) return candidate;
    }
    throw AuthFailures.slugExhausted();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';

/** The identity of a service-account token for reuse and replacement (spec auth 6.3). */
export interface TokenTuple {
  account: string;
  tenantId: string | null;
  scopeKey: string;
}

export type NewServiceAccountToken = Pick<
  RefreshTokenEntity,
  | 'account'
  | 'tenantId'
  | 'scopeKey'
  | 'scopes'
  | 'refreshTokenHash'
  | 'refreshJti'
  | 'signingKid'
  | 'fingerprint'
  | 'issuedAt'
  | 'expiresAt'
>;

/**
 * Service-account rows of `service_account_tokens` (human rows belong to the session code).
 * Writes for one tuple are serialised by a transaction-scoped advisory lock: the partial unique
 * index does not cover tenantless tuples (NULL is distinct), the lock does.
 */
@Injectable()
export class ServiceAccountTokenRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction holding the tuple's lock. */
  withTupleLock<T>(tuple: TokenTuple, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const key = `service-account:${tuple.account}:${tuple.tenantId ?? 'global'}:${tuple.scopeKey}`;
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      return work(manager);
    });
  }

  /** The newest non-revoked, unexpired row of the tuple. */
  async findActive(
    tuple: TokenTuple,
    now: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RefreshTokenEntity | null> {
    return manager
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder('t')
      .where('t.account = :account', { account: tuple.account })
      .andWhere('t.tenant_id IS NOT DISTINCT FROM CAST(:tenantId AS uuid)', {
        tenantId: tuple.tenantId,
      })
      .andWhere('t.scope_key = :scopeKey', { scopeKey: tuple.scopeKey })
      .andWhere('t.revoked_at IS NULL')
      .andWhere('t.expires_at > :now', { now })
      .andWhere('t.session_id IS NULL')
      .orderBy('t.issued_at', 'DESC')
      .limit(1)
      .getOne();
  }

  /** Revokes the tuple's active rows (`replaced`) and stores the new one. */
  async replace(
    tuple: TokenTuple,
    row: NewServiceAccountToken,
    manager: EntityManager,
    now = new Date(),
  ): Promise<RefreshTokenEntity> {
    const repository = manager.getRepository(RefreshTokenEntity);
    await repository
      .createQueryBuilder()
      .update()
      .set({ revokedAt: now, revokedReason: 'replaced' })
      .where('account = :account', { account: tuple.account })
      .andWhere('tenant_id IS NOT DISTINCT FROM CAST(:tenantId AS uuid)', {
        tenantId: tuple.tenantId,
      })
      .andWhere('scope_key = :scopeKey', { scopeKey: tuple.scopeKey })
      .andWhere('revoked_at IS NULL')
      .execute();
    return repository.save(repository.create({ ...row, sessionId: null, revokedAt: null }));
  }

  async findByJti(jti: string): Promise<RefreshTokenEntity | null> {
    return this.dataSource.getRepository(RefreshTokenEntity).findOne({
      where: { refreshJti: jti, sessionId: IsNull() },
    });
  }
}

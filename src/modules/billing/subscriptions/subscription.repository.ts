import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';

/** Every column the application writes on a subscription row. */
export type SubscriptionWrite = Omit<
  TenantSubscriptionEntity,
  'id' | 'plan' | 'createdAt' | 'updatedAt'
>;

/** `tenant_subscriptions`: one row per tenant (unique index), with its plan. */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findByTenant(
    tenantId: string,
    manager?: EntityManager,
  ): Promise<TenantSubscriptionEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(TenantSubscriptionEntity, {
      where: { tenantId },
      relations: { plan: true },
    });
  }

  async findByProcessorSubscriptionId(
    subscriptionId: string,
    manager?: EntityManager,
  ): Promise<TenantSubscriptionEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(TenantSubscriptionEntity, {
      where: { processorSubscriptionId: subscriptionId },
      relations: { plan: true },
    });
  }

  async findByProcessorCustomerId(
    customerId: string,
    manager?: EntityManager,
  ): Promise<TenantSubscriptionEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(TenantSubscriptionEntity, {
      where: { processorCustomerId: customerId },
      relations: { plan: true },
      order: { updatedAt: 'DESC' },
    });
  }

  /** The tenant's row locked for the rest of the transaction (webhook sync vs. concurrent sync). */
  async lockByTenant(
    tenantId: string,
    manager: EntityManager,
  ): Promise<TenantSubscriptionEntity | null> {
    const row = await manager.findOne(TenantSubscriptionEntity, {
      where: { tenantId },
      lock: { mode: 'pessimistic_write' },
    });
    if (row) row.plan = (await this.findByTenant(tenantId, manager))?.plan;
    return row;
  }

  /** Inserts or overwrites the tenant's row; returns it re-read with its plan. */
  async upsert(
    values: SubscriptionWrite,
    manager?: EntityManager,
  ): Promise<TenantSubscriptionEntity> {
    const em = manager ?? this.dataSource.manager;
    await em.upsert(
      TenantSubscriptionEntity,
      { ...values, updatedAt: new Date() },
      { conflictPaths: ['tenantId'], skipUpdateIfNoValuesChanged: false },
    );
    const row = await this.findByTenant(values.tenantId, em);
    if (!row) throw new Error('subscription upsert lost its row');
    return row;
  }

  /** Updates the given columns (and `updated_at`); returns the row re-read with its plan. */
  async update(
    row: TenantSubscriptionEntity,
    changes: Partial<SubscriptionWrite>,
    manager?: EntityManager,
  ): Promise<TenantSubscriptionEntity> {
    const em = manager ?? this.dataSource.manager;
    await em.update(
      TenantSubscriptionEntity,
      { id: row.id },
      { ...changes, updatedAt: new Date() },
    );
    const updated = await this.findByTenant(row.tenantId, em);
    if (!updated) throw new Error('subscription update lost its row');
    return updated;
  }

  async tenantExists(tenantId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query(
      'SELECT 1 FROM tenant_accounts WHERE id = $1',
      [tenantId],
    );
    return rows.length > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { StripeCustomerEntity } from '../entities/stripe-customer.entity';
import { rowsOf } from '../../../platform/database';

/** `stripe_customers`: the tenant <-> Stripe customer mapping. */
@Injectable()
export class StripeCustomerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findByTenant(
    tenantId: string,
    manager?: EntityManager,
  ): Promise<StripeCustomerEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(StripeCustomerEntity, {
      where: { tenantId },
    });
  }

  async findByCustomerId(
    customerId: string,
    manager?: EntityManager,
  ): Promise<StripeCustomerEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(StripeCustomerEntity, {
      where: { processorCustomerId: customerId },
    });
  }

  /** Records (or replaces, after a deletion) the tenant's customer. */
  async save(
    tenantId: string,
    customerId: string,
    generation: number,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO stripe_customers (tenant_id, processor_customer_id, generation)
       VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE
         SET processor_customer_id = EXCLUDED.processor_customer_id,
             generation = EXCLUDED.generation,
             deleted_at = NULL,
             updated_at = now()`,
      [tenantId, customerId, generation],
    );
  }

  /** Links a customer learned from Stripe (webhook) unless the tenant already has a live one. */
  async linkIfAbsent(tenantId: string, customerId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO stripe_customers (tenant_id, processor_customer_id)
       VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE
         SET processor_customer_id = EXCLUDED.processor_customer_id,
             generation = stripe_customers.generation + 1,
             deleted_at = NULL,
             updated_at = now()
         WHERE stripe_customers.deleted_at IS NOT NULL`,
      [tenantId, customerId],
    );
  }

  async countSubscriptionStart(tenantId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE stripe_customers SET subscription_starts = subscription_starts + 1, updated_at = now()
       WHERE tenant_id = $1`,
      [tenantId],
    );
  }

  /** Marks the customer deleted (Stripe `customer.deleted`); the tenant gets a new one later. */
  async markDeleted(customerId: string, manager: EntityManager): Promise<string | null> {
    const rows = await rowsOf<{ tenant_id: string }>(
      manager,
      `UPDATE stripe_customers SET deleted_at = now(), updated_at = now()
       WHERE processor_customer_id = $1 AND deleted_at IS NULL
       RETURNING tenant_id`,
      [customerId],
    );
    return rows[0]?.tenant_id ?? null;
  }
}

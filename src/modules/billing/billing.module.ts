import { Module } from '@nestjs/common';

/** Placeholder: the billing feature module (controllers, providers and entities land here). */
@Module({})
export class BillingModule {}

import { Module } from '@nestjs/common';

/** Placeholder: the webhooks feature module (controllers, providers and entities land here). */
@Module({})
export class WebhooksModule {}

import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsModule } from './modules/agents';
import { AuthModule } from './modules/auth';
import { BillingModule } from './modules/billing';
import { ChatModule } from './modules/chat';
import { ConversationsModule } from './modules/conversations';
import { ToolsModule } from './modules/tools';
import { BillingMetricFamiliesModule, WebhooksModule } from './modules/webhooks';
import { PlatformModule } from './platform/platform.module';
import type { AppConfig } from './platform/config/app-config';
import { RootController } from './root.controller';

/**
 * Composition root. Billing and the Stripe webhook exist only when ENABLE_BILLING is on at boot
 * (their paths are plain 404s otherwise, as in the reference); their metrics always exist.
 */
@Module({})
export class AppModule {
  /** `extraImports` lets tests and benchmarks mount additional modules on the same stack. */
  static forRoot(
    config: AppConfig,
    logger: Logger,
    extraImports: (Type | DynamicModule)[] = [],
  ): DynamicModule {
    // Without billing, its metric families still register (zero) so dashboards do not break.
    const billing = config.ENABLE_BILLING
      ? [BillingModule, WebhooksModule]
      : [BillingMetricFamiliesModule];
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, logger),
        AuthModule,
        ChatModule,
        AgentsModule,
        ConversationsModule,
        ToolsModule,
        ...billing,
        ...extraImports,
      ],
      controllers: [RootController],
    };
  }
}

import { Module } from '@nestjs/common';
import { AuthSharedModule } from '../auth-shared.module';
import { GuardsModule } from '../guards/guards.module';
import { AuditEventRepository } from './audit-event.repository';
import { AuditEventsController } from './audit-events.controller';
import { AuditEventsService } from './audit-events.service';
import { AuditLog } from './audit-log.service';
import { AuditRetentionWorker } from './audit-retention.worker';

/** The audit log: written by the services that change things (AuditLog), read by its route. */
@Module({
  imports: [AuthSharedModule, GuardsModule],
  controllers: [AuditEventsController],
  providers: [AuditEventRepository, AuditLog, AuditEventsService, AuditRetentionWorker],
  exports: [AuditLog],
})
export class AuditModule {}

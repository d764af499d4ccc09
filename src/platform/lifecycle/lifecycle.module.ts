import { Global, Module } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service';
import { WorkerMetrics } from './worker-metrics';

@Global()
@Module({
  providers: [LifecycleService, WorkerMetrics],
  exports: [LifecycleService, WorkerMetrics],
})
export class LifecycleModule {}

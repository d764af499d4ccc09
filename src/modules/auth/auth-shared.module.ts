import { Module } from '@nestjs/common';
import { AuthMetrics } from './auth.metrics';

/** What every auth sub-module shares: one set of auth metrics (registered once per app). */
@Module({ providers: [AuthMetrics], exports: [AuthMetrics] })
export class AuthSharedModule {}

import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GlobalExceptionFilter } from './global-exception.filter';
import { RawBodyRoutes } from './raw-body-routes';
import { RouteTableHolder } from './route-table.holder';
import { AppValidationPipe } from './validation/app-validation.pipe';

/** The global error envelope filter and validation pipe, plus the route table they consult. */
@Global()
@Module({
  providers: [
    RouteTableHolder,
    RawBodyRoutes,
    { provide: APP_FILTER, useClass: GlobalExceptionFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
  ],
  exports: [RouteTableHolder, RawBodyRoutes],
})
export class HttpPlatformModule {}

import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GlobalExceptionFilter } from './global-exception.filter';
import { RouteTableHolder } from './route-table.holder';
import { AppValidationPipe } from './validation/app-validation.pipe';

/** The global error envelope filter and validation pipe, plus the route table they consult. */
@Global()
@Module({
  providers: [
    RouteTableHolder,
    { provide: APP_FILTER, useClass: GlobalExceptionFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
  ],
  exports: [RouteTableHolder],
})
export class HttpPlatformModule {}

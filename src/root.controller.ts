import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { AppConfig } from './platform/config/app-config';

/** `GET /`: the reference's service descriptor. */
@Controller()
export class RootController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOkResponse({ description: 'Service descriptor' })
  root(): Record<string, string> {
    return {
      service: this.config.APP_NAME,
      version: this.config.APP_VERSION,
      description: this.config.APP_DESCRIPTION,
      docs: '/docs',
      health: '/health',
      api: '/api/v1',
      chat: '/api/v1/chat',
      agents: '/api/v1/agents',
    };
  }
}

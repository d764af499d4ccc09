import { Module } from '@nestjs/common';

/** Placeholder: the tools feature module (controllers, providers and entities land here). */
@Module({})
export class ToolsModule {}

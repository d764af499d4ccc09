import { Module } from '@nestjs/common';

/** Placeholder: the agents feature module (controllers, providers and entities land here). */
@Module({})
export class AgentsModule {}

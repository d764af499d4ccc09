import { Module } from '@nestjs/common';

/** Placeholder: the conversations feature module (controllers, providers and entities land here). */
@Module({})
export class ConversationsModule {}

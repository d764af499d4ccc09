import { Module } from '@nestjs/common';

/** Placeholder: the chat feature module (controllers, providers and entities land here). */
@Module({})
export class ChatModule {}

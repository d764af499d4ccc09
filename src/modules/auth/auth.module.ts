import { Module } from '@nestjs/common';

/** Placeholder: the auth feature module (controllers, providers and entities land here). */
@Module({})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { AuthSharedModule } from '../auth-shared.module';
import { KeysModule } from '../keys/keys.module';
import { TokenService } from './token.service';

/** Signing and verifying JWTs with the active keyset. */
@Module({
  imports: [AuthSharedModule, KeysModule],
  providers: [TokenService],
  exports: [TokenService],
})
export class TokensModule {}

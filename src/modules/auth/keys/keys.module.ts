import { Module } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { AuthSharedModule } from '../auth-shared.module';
import { CatalogModule } from '../catalog/catalog.module';
import { JwksController } from './jwks.controller';
import { JwksService } from './jwks.service';
import { KeyRotationService } from './key-rotation.service';
import { KeysetStorage } from './keyset-storage';
import { createKeysetStorage } from './keyset-storage.factory';
import { KeysetService } from './keyset.service';

/** Signing keys: the keyset (file or Vault KV), its rotation lifecycle and the public JWKS. */
@Module({
  imports: [AuthSharedModule, CatalogModule],
  controllers: [JwksController],
  providers: [
    { provide: KeysetStorage, inject: [AppConfig], useFactory: createKeysetStorage },
    KeysetService,
    JwksService,
    KeyRotationService,
  ],
  exports: [KeysetService, JwksService, KeyRotationService],
})
export class KeysModule {}

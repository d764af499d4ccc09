import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserSessionEntity } from '../entities/user-session.entity';
import { AuthSharedModule } from '../auth-shared.module';
import { GateModule } from '../gate/gate.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { GeoLookup, NoopGeoLookup } from './geo-lookup';
import { SessionGrantRepository } from './session-grant.repository';
import { SessionIssuer } from './session-issuer.service';
import { SessionMetadataFactory } from './session-metadata.factory';
import { SessionRevocationService } from './session-revocation.service';
import { SessionStateService } from './session-state.service';
import { TokenRefreshService } from './token-refresh.service';
import { UserSessionRepository } from './user-session.repository';
import { UserSessionsService } from './user-sessions.service';

/** User sessions: issuing token pairs, refresh rotation, revocation and the session list. */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserSessionEntity]),
    AuthSharedModule,
    TokensModule,
    UsersModule,
    GateModule,
  ],
  providers: [
    UserSessionRepository,
    SessionGrantRepository,
    { provide: GeoLookup, useClass: NoopGeoLookup },
    SessionMetadataFactory,
    SessionStateService,
    SessionIssuer,
    SessionRevocationService,
    TokenRefreshService,
    UserSessionsService,
  ],
  exports: [
    SessionStateService,
    SessionIssuer,
    SessionRevocationService,
    TokenRefreshService,
    UserSessionsService,
  ],
})
export class SessionsModule {}

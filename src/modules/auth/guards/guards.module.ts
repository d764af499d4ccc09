import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { BearerAuthGuard } from './bearer-auth.guard';
import { BearerJwtStrategy } from './bearer-jwt.strategy';
import { BearerVerifier } from './bearer-verifier.service';
import { ScopesGuard } from './scopes.guard';
import { TenantGuard } from './tenant.guard';

/** Tenancy and access: the bearer verifier and strategy, and the bearer, scope and tenant guards. */
const GUARDS = [BearerVerifier, BearerJwtStrategy, BearerAuthGuard, ScopesGuard, TenantGuard];

@Module({
  imports: [PassportModule, TokensModule, SessionsModule],
  providers: GUARDS,
  exports: GUARDS,
})
export class GuardsModule {}

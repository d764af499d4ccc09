import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ServiceAccountAccessTokenResponse,
  ServiceAccountTokenExchangeRequest,
} from './dto/service-account-token-exchange.dto';
import { ServiceAccountIssueRequest } from './dto/service-account-issue-request.dto';
import { ServiceAccountTokenResponse } from './dto/service-account-token-response.dto';
import { ServiceAccountIssuanceService } from './service-account-issuance.service';
import { ServiceAccountTokenExchangeService } from './service-account-token-exchange.service';

@ApiTags('api', 'auth')
@Controller('api/v1/auth/service-accounts')
export class ServiceAccountsController {
  constructor(
    private readonly issuance: ServiceAccountIssuanceService,
    private readonly exchange: ServiceAccountTokenExchangeService,
  ) {}

  /**
   * Mints (or returns the active) service-account refresh token. Caller authentication is a
   * Vault Transit signature over `X-Vault-Payload` (`Authorization: Bearer vault:v1:...`), or
   * `Bearer dev-local` in development.
   */
  @Post('issue')
  @HttpCode(201)
  @ApiHeader({ name: 'Authorization', required: true })
  @ApiHeader({ name: 'X-Vault-Payload', required: false })
  @ApiCreatedResponse({ type: ServiceAccountTokenResponse })
  async issueServiceAccountToken(
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-vault-payload') vaultPayload: string | undefined,
    @Body() body: ServiceAccountIssueRequest,
  ): Promise<ServiceAccountTokenResponse> {
    const outcome = await this.issuance.issue({
      authorization,
      vaultPayload,
      request: {
        account: body.account,
        scopes: body.scopes,
        tenantId: body.tenant_id ?? null,
        lifetimeMinutes: body.lifetime_minutes ?? null,
        fingerprint: body.fingerprint ?? null,
        force: body.force ?? false,
      },
    });
    return outcome.response;
  }

  /** Exchanges a service-account refresh token for a short-lived access token. */
  @Post('token')
  @HttpCode(200)
  @ApiOkResponse({ type: ServiceAccountAccessTokenResponse })
  async exchangeServiceAccountToken(
    @Body() body: ServiceAccountTokenExchangeRequest,
  ): Promise<ServiceAccountAccessTokenResponse> {
    return this.exchange.exchange(body.refresh_token);
  }
}

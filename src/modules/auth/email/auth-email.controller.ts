import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../decorators/auth.decorators';
import { AccountUnlockRequest } from '../dto/account-unlock-request.dto';
import { EmailVerificationConfirmRequest } from '../dto/email-verification-request.dto';
import { success, SuccessResponse } from '../../../platform/http/success-response';
import { AccountUnlockService } from './account-unlock.service';
import { EmailVerificationService } from './email-verification.service';
import type { Principal } from '../principal';
import { Client, type ClientInfo } from '../client/client-info';
import { requireUser } from '../user-principal';

/** Links mailed to the account owner: email verification and the lockout's unlock link. */
@ApiTags('api', 'auth')
@Controller('api/v1/auth')
export class AuthEmailController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly unlocks: AccountUnlockService,
  ) {}

  @Post('email/send')
  @HttpCode(202)
  @Authenticated()
  @ApiResponse({ status: 202, type: SuccessResponse })
  async sendEmailVerification(
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<{ email_verified: boolean }>> {
    const outcome = await this.verification.sendEmailVerification(requireUser(principal), client);
    return outcome === 'already_verified'
      ? success('Email already verified.', { email_verified: true })
      : success('Verification email sent.', { email_verified: false });
  }

  @Post('email/verify')
  @HttpCode(200)
  @ApiResponse({ status: 200, type: SuccessResponse })
  async verifyEmailToken(
    @Body() body: EmailVerificationConfirmRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.verification.verifyEmailToken(body.token, client);
    return success('Email verified successfully.', null);
  }

  /** The link mailed when the account locked: re-activates it at once (204, no body). */
  @Post('unlock')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Account unlocked.' })
  async unlockAccount(
    @Body() body: AccountUnlockRequest,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.unlocks.unlock(body.token, client);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../decorators/auth.decorators';
import { EmailVerificationConfirmRequest } from '../dto/email-verification-request.dto';
import { success, SuccessResponse } from '../../../platform/http/success-response';
import { EmailVerificationService } from './email-verification.service';
import type { Principal } from '../principal';
import { Client, type ClientInfo } from '../client/client-info';
import { requireUser } from '../user-principal';

/** Email verification. */
@ApiTags('api', 'auth')
@Controller('api/v1/auth/email')
export class AuthEmailController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post('send')
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

  @Post('verify')
  @HttpCode(200)
  @ApiResponse({ status: 200, type: SuccessResponse })
  async verifyEmailToken(
    @Body() body: EmailVerificationConfirmRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.verification.verifyEmailToken(body.token, client);
    return success('Email verified successfully.', null);
  }
}

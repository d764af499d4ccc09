import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, RequireScopes } from '../decorators/auth.decorators';
import {
  PasswordChangeRequest,
  PasswordForgotRequest,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
} from '../dto/password-requests.dto';
import { success, SuccessResponse } from '../../../platform/http/success-response';
import { PasswordChangeService } from './password-change.service';
import { PasswordResetService } from './password-reset.service';
import type { Principal } from '../principal';
import { Client, type ClientInfo } from '../client/client-info';
import { requireUser } from '../user-principal';

/** Forgot/confirm by email, self-service change, tenant admin reset. */
@ApiTags('api', 'auth')
@Controller('api/v1/auth/password')
export class AuthPasswordsController {
  constructor(
    private readonly resets: PasswordResetService,
    private readonly changes: PasswordChangeService,
  ) {}

  @Post('forgot')
  @HttpCode(202)
  @ApiResponse({ status: 202, type: SuccessResponse })
  async requestPasswordReset(
    @Body() body: PasswordForgotRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.resets.requestPasswordReset(body.email, client);
    return success('If the account exists, password reset instructions have been sent.', null);
  }

  @Post('confirm')
  @HttpCode(200)
  @ApiResponse({ status: 200, type: SuccessResponse })
  async confirmPasswordReset(
    @Body() body: PasswordResetConfirmRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.resets.confirmPasswordReset(body.token, body.new_password, client);
    return success('Password has been reset successfully.', null);
  }

  @Post('change')
  @HttpCode(200)
  @Authenticated()
  @ApiResponse({ status: 200, type: SuccessResponse })
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PasswordChangeRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.changes.changePassword(
      requireUser(principal),
      body.current_password,
      body.new_password,
      client,
    );
    return success('Password updated successfully', null);
  }

  @Post('reset')
  @HttpCode(200)
  @RequireScopes('support:read')
  @ApiResponse({ status: 200, type: SuccessResponse })
  async adminResetPassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PasswordResetRequest,
    @Client() client: ClientInfo,
  ): Promise<SuccessResponse<null>> {
    await this.changes.adminResetPassword(
      principal,
      body.user_id.toLowerCase(),
      body.new_password,
      client,
    );
    return success('Password reset successfully', null);
  }
}

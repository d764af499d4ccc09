import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { UserRegisterRequest } from '../dto/user-register-request.dto';
import { toUserSessionResponse, UserRegisterResponse } from '../dto/user-session-response.dto';
import { Client, type ClientInfo } from '../client/client-info';
import { SignupService } from './signup.service';

/** Public signup (`POST /api/v1/auth/register`). */
@ApiTags('api', 'auth')
@Controller('api/v1/auth')
export class AuthSignupController {
  constructor(private readonly signup: SignupService) {}

  @Post('register')
  @HttpCode(201)
  @ApiResponse({ status: 201, type: UserRegisterResponse })
  async registerTenant(
    @Body() body: UserRegisterRequest,
    @Client() client: ClientInfo,
  ): Promise<UserRegisterResponse> {
    const registered = await this.signup.registerTenant(
      {
        email: body.email,
        password: body.password,
        tenantName: body.tenant_name,
        displayName: body.display_name,
        planCode: body.plan_code,
        trialDays: body.trial_days,
      },
      client,
    );
    return { ...toUserSessionResponse(registered), tenant_slug: registered.tenantSlug };
  }
}

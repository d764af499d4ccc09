import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../decorators/auth.decorators';
import { success, SuccessResponse } from '../../../platform/http/success-response';
import type { Principal } from '../principal';

@ApiTags('api', 'auth')
@Controller('api/v1/auth')
export class MeController {
  /** The caller and the raw claims of its token (user tokens only). */
  @Get('me')
  @Authenticated()
  @ApiOkResponse({ type: SuccessResponse })
  getCurrentUserInfo(
    @CurrentPrincipal() principal: Principal,
  ): SuccessResponse<{ user_id: string | null; token_payload: Record<string, unknown> }> {
    return success('User information retrieved successfully', {
      user_id: principal.userId,
      token_payload: principal.payload,
    });
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UuidParamPipe } from '../../../platform/http';
import { Authenticated, CurrentPrincipal } from '../decorators/auth.decorators';
import { success, SuccessResponse } from '../../../platform/http/success-response';
import { UserLoginRequest } from '../dto/user-login-request.dto';
import { UserLogoutRequest, UserRefreshRequest } from '../dto/user-refresh-request.dto';
import {
  ListUserSessionsQuery,
  toUserSessionItem,
  UserSessionListResponse,
} from '../dto/user-session-list.dto';
import { toUserSessionResponse, UserSessionResponse } from '../dto/user-session-response.dto';
import { LoginService } from './login.service';
import type { Principal } from '../principal';
import { Client, type ClientInfo } from '../client/client-info';
import { TokenRefreshService } from '../sessions/token-refresh.service';
import { UserSessionsService } from '../sessions/user-sessions.service';
import { requireUser } from '../user-principal';

/** Login, refresh, logout and the caller's sessions. */
@ApiTags('api', 'auth')
@Controller('api/v1/auth')
export class AuthSessionsController {
  constructor(
    private readonly login: LoginService,
    private readonly refresh: TokenRefreshService,
    private readonly sessions: UserSessionsService,
  ) {}

  @Post('token')
  @HttpCode(200)
  @ApiOkResponse({ type: UserSessionResponse })
  async loginForAccessToken(
    @Body() body: UserLoginRequest,
    @Client() client: ClientInfo,
  ): Promise<UserSessionResponse> {
    const issued = await this.login.login(
      { email: body.email, password: body.password, tenantId: body.tenant_id },
      client,
    );
    return toUserSessionResponse(issued);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: UserSessionResponse })
  async refreshAccessToken(
    @Body() body: UserRefreshRequest,
    @Client() client: ClientInfo,
  ): Promise<UserSessionResponse> {
    return toUserSessionResponse(await this.refresh.refreshAccessToken(body.refresh_token, client));
  }

  @Post('logout')
  @HttpCode(200)
  @Authenticated()
  @ApiOkResponse({ type: SuccessResponse })
  async logoutSession(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UserLogoutRequest,
  ): Promise<SuccessResponse<{ revoked: boolean }>> {
    const revoked = await this.sessions.logoutSession(requireUser(principal), body.refresh_token);
    return revoked
      ? success('Session revoked successfully.', { revoked: true })
      : success('Session already inactive.', { revoked: false });
  }

  @Post('logout/all')
  @HttpCode(200)
  @Authenticated()
  @ApiOkResponse({ type: SuccessResponse })
  async logoutAllSessions(
    @CurrentPrincipal() principal: Principal,
  ): Promise<SuccessResponse<{ revoked: number }>> {
    const revoked = await this.sessions.logoutAllSessions(requireUser(principal));
    return success(
      revoked > 0 ? 'All sessions revoked successfully.' : 'No active sessions to revoke.',
      { revoked },
    );
  }

  @Get('sessions')
  @Authenticated()
  @ApiOkResponse({ type: UserSessionListResponse })
  async listUserSessions(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListUserSessionsQuery,
  ): Promise<UserSessionListResponse> {
    const user = requireUser(principal);
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const page = await this.sessions.listUserSessions(user, {
      includeRevoked: query.include_revoked ?? false,
      limit,
      offset,
      tenantId: query.tenant_id,
    });
    return {
      sessions: page.rows.map((row) => toUserSessionItem(row, user.sessionId)),
      total: page.total,
      limit,
      offset,
    };
  }

  @Delete('sessions/:session_id')
  @Authenticated()
  @ApiOkResponse({ type: SuccessResponse })
  async revokeUserSession(
    @CurrentPrincipal() principal: Principal,
    @Param('session_id', UuidParamPipe) sessionId: string,
  ): Promise<SuccessResponse<{ revoked: boolean }>> {
    await this.sessions.revokeUserSession(requireUser(principal), sessionId);
    return success('Session revoked successfully.', { revoked: true });
  }
}

import { startTestApp, type TestApp } from '../../support/test-app';

/** The frontend's generated client keys on FastAPI operationIds and schema names. */
describe('auth routes in /openapi.json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('keeps the reference operationIds, statuses and schema names', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    const expected: [string, string, string, string][] = [
      ['/api/v1/auth/token', 'post', 'login_for_access_token_api_v1_auth_token_post', '200'],
      ['/api/v1/auth/refresh', 'post', 'refresh_access_token_api_v1_auth_refresh_post', '200'],
      ['/api/v1/auth/logout', 'post', 'logout_session_api_v1_auth_logout_post', '200'],
      ['/api/v1/auth/logout/all', 'post', 'logout_all_sessions_api_v1_auth_logout_all_post', '200'],
      ['/api/v1/auth/sessions', 'get', 'list_user_sessions_api_v1_auth_sessions_get', '200'],
      [
        '/api/v1/auth/sessions/{session_id}',
        'delete',
        'revoke_user_session_api_v1_auth_sessions__session_id__delete',
        '200',
      ],
      [
        '/api/v1/auth/email/send',
        'post',
        'send_email_verification_api_v1_auth_email_send_post',
        '202',
      ],
      [
        '/api/v1/auth/email/verify',
        'post',
        'verify_email_token_api_v1_auth_email_verify_post',
        '200',
      ],
      [
        '/api/v1/auth/password/forgot',
        'post',
        'request_password_reset_api_v1_auth_password_forgot_post',
        '202',
      ],
      [
        '/api/v1/auth/password/confirm',
        'post',
        'confirm_password_reset_api_v1_auth_password_confirm_post',
        '200',
      ],
      [
        '/api/v1/auth/password/change',
        'post',
        'change_password_api_v1_auth_password_change_post',
        '200',
      ],
      [
        '/api/v1/auth/password/reset',
        'post',
        'admin_reset_password_api_v1_auth_password_reset_post',
        '200',
      ],
      ['/api/v1/auth/register', 'post', 'register_tenant_api_v1_auth_register_post', '201'],
    ];
    for (const [path, method, operationId, status] of expected) {
      expect({ path, operationId: op(path, method)?.operationId }).toEqual({ path, operationId });
      expect(Object.keys(op(path, method).responses)).toContain(status);
    }
    for (const schema of [
      'UserLoginRequest',
      'UserRefreshRequest',
      'UserLogoutRequest',
      'UserSessionResponse',
      'UserRegisterRequest',
      'UserRegisterResponse',
      'UserSessionListResponse',
      'UserSessionItem',
      'SessionClientInfo',
      'SessionLocationInfo',
      'PasswordForgotRequest',
      'PasswordResetConfirmRequest',
      'PasswordChangeRequest',
      'PasswordResetRequest',
      'EmailVerificationConfirmRequest',
      'SuccessResponse',
    ]) {
      expect(Object.keys(doc.components.schemas)).toContain(schema);
    }
  });
});

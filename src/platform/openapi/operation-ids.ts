import type { OpenAPIObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * FastAPI's operationId rule (handler name + path with non-word characters as `_` + method), so
 * the frontend's generated client keeps its function names. The handler name is the controller
 * method name in snake_case: `loginForAccessToken` on POST /api/v1/auth/token gives
 * `login_for_access_token_api_v1_auth_token_post`.
 */
export function applyFastApiOperationIds(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      const handler = operation.operationId.split('_').pop() ?? operation.operationId;
      const fastApiPath = path.replace(/\W/g, '_');
      operation.operationId = `${snakeCase(handler)}${fastApiPath}_${method}`;
    }
  }
}

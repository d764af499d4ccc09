import { AppException } from '../../platform/http/app-exception';

export enum AgentErrorCode {
  NotFound = 'agent_not_found',
}

/** 404 `Agent '<name>' not found` (reference text). */
export class AgentNotFoundException extends AppException {
  constructor(name: string) {
    super(404, `Agent '${name}' not found`, { code: AgentErrorCode.NotFound });
  }
}

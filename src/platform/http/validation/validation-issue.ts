/** One entry of a 422 `details` list, pydantic-v2 shaped. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export type ValidationLocation = 'body' | 'query' | 'path' | 'header';

import { ApiProperty } from '@nestjs/swagger';

/** One tool of the additive `items` of `GET /api/v1/tools`. */
export class ToolInfo {
  @ApiProperty()
  name: string;

  @ApiProperty()
  category: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ type: Object, description: 'JSON schema of the arguments' })
  parameters: Record<string, unknown>;

  @ApiProperty()
  core: boolean;

  @ApiProperty({ type: [String] })
  agents: string[];

  @ApiProperty({ type: [String] })
  capabilities: string[];

  @ApiProperty()
  requires_api_key: boolean;

  @ApiProperty({ description: 'Whether the tool can run here (its API key is configured)' })
  available: boolean;
}

/**
 * `GET /api/v1/tools` body: the reference keys (`total_tools`, `tool_names`, `categories`) plus
 * `items`.
 */
export class ToolOverview {
  @ApiProperty()
  total_tools: number;

  @ApiProperty({ type: [String] })
  tool_names: string[];

  @ApiProperty({ type: [String] })
  categories: string[];

  @ApiProperty({ type: [ToolInfo] })
  items: ToolInfo[];
}

/** The tools module's public surface. */
export { ToolsModule } from './tools.module';
export { ToolCatalog, TOOL_NAMES } from './tool-catalog.service';
export type { ChatRunContext } from './tool-context';
export type { ChatTool, RegisteredTool } from './tool-registry';

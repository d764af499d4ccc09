import type { AgentInputItem } from '@openai/agents';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a stored item was written by the Python reference (Responses-API snake_case shapes)
 * rather than by `@openai/agents`: memory rows the reference wrote stay readable after migration.
 */
export function isReferenceItem(item: Json): boolean {
  return (
    'call_id' in item ||
    item.type === 'function_call_output' ||
    (item.type === 'reasoning' && 'summary' in item)
  );
}

function outputString(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    return output
      .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return JSON.stringify(output ?? '');
}

/** Reference assistant parts carry `annotations`/`logprobs` at top level; the SDK does not. */
function normaliseMessage(item: Json): Json {
  if (item.role !== 'assistant' || !Array.isArray(item.content)) return item;
  const pythonParts = item.content.some(
    (part) => isObject(part) && ('annotations' in part || 'logprobs' in part),
  );
  if (!pythonParts) return item;
  const content = item.content
    .filter((part): part is Json => isObject(part) && typeof part.text === 'string')
    .map((part) => ({ type: 'output_text', text: part.text }));
  return { ...item, content };
}

function translate(item: Json, callNames: Map<string, string>): Json | null {
  const callId = typeof item.call_id === 'string' ? item.call_id : '';
  if (item.type === 'function_call') {
    const name = typeof item.name === 'string' ? item.name : '';
    callNames.set(callId, name);
    return {
      type: 'function_call',
      ...(typeof item.id === 'string' ? { id: item.id } : {}),
      callId,
      name,
      arguments: typeof item.arguments === 'string' ? item.arguments : '{}',
      status: 'completed',
    };
  }
  if (item.type === 'function_call_output') {
    return {
      type: 'function_call_result',
      callId,
      name: callNames.get(callId) ?? '',
      status: 'completed',
      output: { type: 'text', text: outputString(item.output) },
    };
  }
  return null;
}

/**
 * Reads stored items into `@openai/agents` shapes so histories written by the reference still
 * replay: `call_id` -> `callId`, `function_call_output` -> `function_call_result` (named after
 * its call), assistant parts without Python-only keys. Reference reasoning items cannot be
 * replayed without their encrypted content and are dropped. SDK-shaped items pass unchanged.
 */
export function fromStoredItems(items: Json[]): AgentInputItem[] {
  const callNames = new Map<string, string>();
  const out: Json[] = [];
  for (const item of items) {
    if (isReferenceItem(item)) {
      const translated = translate(item, callNames);
      if (translated) out.push(translated);
      continue;
    }
    if (item.type === 'function_call' && typeof item.callId === 'string') {
      callNames.set(item.callId, typeof item.name === 'string' ? item.name : '');
    }
    out.push(item.type === undefined || item.type === 'message' ? normaliseMessage(item) : item);
  }
  return out as unknown as AgentInputItem[];
}

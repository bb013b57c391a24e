// The host bridge (Apps SDK `window.openai`), the only thing the widget talks to: no fetches.
// The host may inject it late and announces every change of its globals with `openai:set_globals`.

export interface ToolResponse {
  structuredContent?: unknown;
  content?: { type: string; text?: string }[];
  isError?: boolean;
  /** set here (never by the server) when the host could not deliver the call at all */
  unreachable?: boolean;
}

export interface OpenAiBridge {
  toolInput?: Record<string, unknown> | null;
  toolOutput?: unknown;
  widgetState?: unknown;
  theme?: 'light' | 'dark';
  displayMode?: 'inline' | 'pip' | 'fullscreen';
  locale?: string;
  setWidgetState?(state: unknown): Promise<void>;
  callTool?(name: string, args: Record<string, unknown>): Promise<ToolResponse>;
}

declare global {
  interface Window { openai?: OpenAiBridge }
}

export const SET_GLOBALS_EVENT = 'openai:set_globals';

export const bridge = (): OpenAiBridge | undefined => window.openai;

export function onGlobalsChange(listener: () => void): void {
  window.addEventListener(SET_GLOBALS_EVENT, listener, { passive: true });
}

/** calls a tool through the host; a missing bridge or a rejected call becomes an error result */
export async function callTool(name: string, args: Record<string, unknown>): Promise<ToolResponse> {
  const call = window.openai?.callTool;
  if (!call) return { isError: true, unreachable: true, content: [{ type: 'text', text: 'This host cannot run tools from the widget.' }] };
  try {
    return (await call.call(window.openai, name, args)) ?? { isError: true, content: [] };
  } catch (err) {
    return { isError: true, unreachable: true, content: [{ type: 'text', text: `The host could not run ${name}: ${(err as Error)?.message ?? err}` }] };
  }
}

/** the human-readable text of a tool result (what to show for isError answers) */
export function resultText(result: ToolResponse, fallback = 'Something went wrong.'): string {
  const text = (result.content ?? []).filter((c) => c.type === 'text' && c.text).map((c) => c.text).join('\n').trim();
  return text || fallback;
}

export function saveWidgetState(state: unknown): void {
  window.openai?.setWidgetState?.(state)?.catch?.(() => undefined);
}

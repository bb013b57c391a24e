// Shapes shared by the host page, the host API and the widget bridge (types only).
import type { SpanRecord } from '../../common/trace.js';

export interface ToolResult {
  structuredContent?: Record<string, unknown>;
  content?: Array<{ type: string; text?: string; [k: string]: unknown }>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

export interface ToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: { properties?: Record<string, { type?: string; description?: string }>; required?: string[] };
  annotations?: { readOnlyHint?: boolean; title?: string };
  _meta?: Record<string, unknown>;
}

export type SignInReason = 'sign_in' | 'step_up' | 'reauthorize';

export type CallResponse =
  | { status: 'ok'; traceId: string; result: ToolResult; widget?: { uri: string; html: string }; widgetError?: string }
  | { status: 'sign_in_required'; traceId: string; authorizationUrl: string; reason: SignInReason; scope?: string }
  | { status: 'error'; traceId?: string; error: string; message?: string };

export interface AuthView {
  clientId?: string;
  registration?: 'cimd' | 'dcr';
  issuer?: string;
  signedIn: boolean;
  user?: string;
  scope?: string;
  expiresAt?: number;
  claims?: Record<string, unknown>;
}

export interface SessionView {
  session: null | {
    mcpUrl: string;
    connected: boolean;
    server?: { name: string; title?: string; version: string; instructions?: string };
    signInPending: boolean;
    auth: AuthView;
  };
  defaults: { mcpUrl: string; registration: 'auto' | 'dcr' };
  servers: Array<{ label: string; url: string }>;
  host: { name: string; clientMetadataUrl: string; redirectUri: string };
}

/** a span of any service, with the inspector lane it is drawn in */
export interface FlowSpan extends Omit<SpanRecord, 'status'> {
  /** as the service wrote it: another MCP server's tracer may say "ERROR" */
  status: string;
  lane: Lane;
}

export type Lane = 'host' | 'mcp' | 'auth' | 'api';

export interface FlowView {
  traceId: string;
  sources: Array<{ lane: Lane; label: string; state: 'ok' | 'no_tracing' | 'unreachable'; count: number }>;
  spans: FlowSpan[];
}

/** the globals a widget reads from window.openai */
export interface OpenAiGlobals {
  theme: 'light' | 'dark';
  locale: string;
  displayMode: 'inline' | 'fullscreen' | 'pip';
  maxHeight: number;
  userAgent: { device: { type: 'desktop' | 'mobile' | 'tablet' | 'unknown' }; capabilities: { hover: boolean; touch: boolean } };
  safeArea: { insets: { top: number; bottom: number; left: number; right: number } };
  toolInput: Record<string, unknown>;
  toolOutput: Record<string, unknown> | null;
  toolResponseMetadata: Record<string, unknown> | null;
  widgetState: unknown;
}

/** what the bridge inside the iframe is given before the widget's own scripts run */
export interface BridgeInit {
  hostOrigin: string;
  globals: OpenAiGlobals;
}

export type BridgeMethod = 'callTool' | 'sendFollowUpMessage' | 'openExternal' | 'requestDisplayMode' | 'setWidgetState';

/** iframe -> host page */
export type FromWidget =
  | { labHost: 1; kind: 'request'; id: number; method: BridgeMethod; params: unknown }
  | { labHost: 1; kind: 'resize'; height: number }
  | { labHost: 1; kind: 'ready' };

/** host page -> iframe */
export type ToWidget =
  | { labHost: 1; kind: 'response'; id: number; result?: unknown; error?: string }
  | { labHost: 1; kind: 'globals'; globals: Partial<OpenAiGlobals> };

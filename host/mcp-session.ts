// One browser session's connection to one MCP server, made with the official SDK client. Tokens and
// client credentials live here (in the provider) and never leave the server. A tool call that the
// server answers with 401 / 403 insufficient_scope (or, in ChatGPT mode, an error result carrying
// _meta["mcp/www_authenticate"]) ends as "sign in required" with the authorization URL for the popup;
// the callback finishes the flow and the next call runs on a fresh transport.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { decodeClaims } from './claims.js';
import type { Lanes } from './lanes.js';
import { HostOAuthProvider, type HostClientIdentity, type RegistrationMode } from './oauth-provider.js';
import { createTracedFetch } from './traced-fetch.js';
import type { ActiveSpan, Tracer } from './tracing.js';
import type { Widget, WidgetCache } from './widget-cache.js';

export interface ToolResultView {
  structuredContent?: Record<string, unknown>;
  content: CallToolResult['content'];
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

export type SignInReason = 'sign_in' | 'step_up' | 'reauthorize';

export type CallOutcome =
  | { status: 'ok'; traceId: string; result: ToolResultView; widget?: Widget; widgetError?: string }
  | { status: 'sign_in_required'; traceId: string; authorizationUrl: string; reason: SignInReason; scope?: string }
  | { status: 'error'; traceId: string; error: string };

export interface SignInResult {
  ok: boolean;
  error?: string;
  description?: string;
  traceId?: string;
}

export interface McpSessionDeps {
  url: string;
  identity: HostClientIdentity;
  registration: RegistrationMode;
  tracer: Tracer;
  lanes: Lanes;
  widgets: WidgetCache;
}

const CLIENT_INFO = { name: 'lab-host', title: 'Lab Host (ChatGPT stand-in)', version: '0.1.0' };
const MAX_TRACES = 200;

/** the parameters of a Bearer challenge: error, scope, resource_metadata */
function challengeParams(header: string | undefined): Record<string, string> {
  return Object.fromEntries([...(header ?? '').matchAll(/([a-z_]+)="([^"]*)"/gi)].map((m) => [m[1].toLowerCase(), m[2]]));
}

export class McpSession {
  readonly url: string;
  readonly provider: HostOAuthProvider;
  server?: { name: string; title?: string; version: string; instructions?: string };
  private client?: Promise<Client>;
  private tools?: Tool[];
  private lastChallenge?: string;
  private signIn?: { span: ActiveSpan; traceId: string };
  private readonly traceIds = new Set<string>();
  private readonly fetch: FetchLike;

  constructor(private readonly deps: McpSessionDeps) {
    this.url = deps.url;
    this.provider = new HostOAuthProvider(deps.identity, deps.registration);
    const traced = createTracedFetch(deps.tracer, deps.lanes, deps.url);
    this.fetch = async (input, init) => {
      const res = await traced(input, init);
      if (res.status === 401 || res.status === 403) this.lastChallenge = res.headers.get('www-authenticate') ?? undefined;
      return res;
    };
  }

  private transport() {
    return new StreamableHTTPClientTransport(new URL(this.url), { authProvider: this.provider, fetch: this.fetch });
  }

  /** the connected client, connecting first if needed (throws UnauthorizedError when sign-in is needed) */
  connect(): Promise<Client> {
    if (!this.client) {
      const client = new Client(CLIENT_INFO, { capabilities: {} });
      const connecting = client.connect(this.transport()).then(() => {
        const version = client.getServerVersion();
        if (version) this.server = { name: version.name, title: version.title, version: version.version, instructions: client.getInstructions() };
        return client;
      });
      connecting.catch(() => {
        if (this.client === connecting) this.client = undefined;
      });
      this.client = connecting;
    }
    return this.client;
  }

  /** drops the client: the next call connects again on a fresh transport */
  private async reset() {
    const old = this.client;
    this.client = undefined;
    await old?.then((c) => c.close()).catch(() => undefined);
  }

  async close() {
    this.signIn?.span.end('error');
    await this.reset();
  }

  get connected() {
    return this.server !== undefined;
  }

  async listTools(): Promise<Tool[]> {
    const client = await this.connect();
    this.tools = (await client.listTools()).tools;
    return this.tools;
  }

  /** tools/list for the UI: like a tool call, a stale or revoked token ends in "sign in required" */
  async toolList(): Promise<{ status: 'ok'; tools: Tool[] } | Exclude<CallOutcome, { status: 'ok' }>> {
    return this.deps.tracer.inSpan('list tools', { 'mcp.server': this.url }, async (span) => {
      this.remember(span.traceId);
      try {
        return { status: 'ok' as const, tools: await this.listTools() };
      } catch (err) {
        if (err instanceof UnauthorizedError && this.provider.authorizationUrl) return this.signInRequired(span);
        span.end('error');
        return { status: 'error' as const, traceId: span.traceId, error: (err as Error).message };
      }
    });
  }

  private remember(traceId: string) {
    this.traceIds.add(traceId);
    if (this.traceIds.size > MAX_TRACES) this.traceIds.delete(this.traceIds.values().next().value!);
  }

  /** trace ids this session created: only those may be continued by a retry */
  ownsTrace(traceId: unknown): traceId is string {
    return typeof traceId === 'string' && this.traceIds.has(traceId);
  }

  async callTool(name: string, args: Record<string, unknown>, opts: { traceId?: string; withWidget?: boolean } = {}): Promise<CallOutcome> {
    const { tracer } = this.deps;
    const parent = opts.traceId && this.ownsTrace(opts.traceId) ? { traceId: opts.traceId } : undefined;
    return tracer.inSpan(`tool call ${name}`, { 'mcp.tool': name, 'mcp.arguments': args, 'mcp.server': this.url }, async (span) => {
      this.remember(span.traceId);
      const presented = decodeClaims(this.provider.tokens()?.access_token);
      if (presented) span.set({ claims: presented });
      try {
        const client = await this.connect();
        const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
        const inResult = (result._meta?.['mcp/www_authenticate'] as string[] | undefined)?.[0];
        if (result.isError && inResult) {
          // ChatGPT-compatible servers put the challenge in the tool result instead of a 401/403
          this.lastChallenge = inResult;
          const params = challengeParams(inResult);
          const outcome = await auth(this.provider, {
            serverUrl: this.url, scope: params.scope,
            resourceMetadataUrl: params.resource_metadata ? new URL(params.resource_metadata) : undefined, fetchFn: this.fetch,
          });
          if (outcome === 'REDIRECT') return this.signInRequired(span);
        }
        span.set({ 'mcp.is_error': Boolean(result.isError) });
        if (result.isError) span.end('error');
        const view: ToolResultView = { structuredContent: result.structuredContent, content: result.content, isError: result.isError, _meta: result._meta };
        if (opts.withWidget === false) return { status: 'ok', traceId: span.traceId, result: view };
        return { status: 'ok', traceId: span.traceId, result: view, ...(await this.widgetFor(name, result, client)) };
      } catch (err) {
        if (err instanceof UnauthorizedError && this.provider.authorizationUrl) return this.signInRequired(span);
        span.set({ error: (err as Error).message });
        span.end('error');
        if (err instanceof UnauthorizedError) await this.reset();
        return { status: 'error', traceId: span.traceId, error: (err as Error).message };
      }
    }, parent);
  }

  private async widgetFor(name: string, result: CallToolResult, client: Client): Promise<{ widget?: Widget; widgetError?: string }> {
    try {
      const tools = this.tools ?? (await this.listTools());
      const template = result._meta?.['openai/outputTemplate'] ?? tools.find((t) => t.name === name)?._meta?.['openai/outputTemplate'];
      if (typeof template !== 'string') return {};
      return { widget: await this.deps.widgets.get(this.url, template, client) };
    } catch (err) {
      return { widgetError: (err as Error).message };
    }
  }

  private async signInRequired(span: ActiveSpan): Promise<Extract<CallOutcome, { status: 'sign_in_required' }>> {
    const url = this.provider.authorizationUrl!;
    this.provider.authorizationUrl = undefined;
    const challenge = challengeParams(this.lastChallenge);
    const reason: SignInReason = challenge.error === 'insufficient_scope' ? 'step_up' : this.provider.tokens() ? 'reauthorize' : 'sign_in';
    const scope = url.searchParams.get('scope') ?? undefined;
    this.signIn?.span.end('error');
    // the user's time in the popup, drawn as Host -> Auth server; it ends when the callback arrives
    const signInSpan = this.deps.tracer.start('authorization request (browser popup)', {
      peer: 'auth',
      'oauth.authorization_endpoint': `${url.origin}${url.pathname}`,
      'oauth.client_id': url.searchParams.get('client_id'),
      'oauth.registration': this.provider.registration,
      'oauth.scope': scope,
      'oauth.resource': url.searchParams.get('resource'),
      'oauth.code_challenge_method': url.searchParams.get('code_challenge_method'),
      reason,
    });
    this.signIn = { span: signInSpan, traceId: span.traceId };
    span.set({ outcome: 'sign_in_required', reason });
    await this.reset();
    return { status: 'sign_in_required', traceId: span.traceId, authorizationUrl: url.href, reason, scope };
  }

  /** handles the authorization response the popup brought back: state, iss (RFC 9207), then the code */
  async finishSignIn(query: URLSearchParams): Promise<SignInResult> {
    const pending = this.signIn;
    this.signIn = undefined;
    const parent = pending ? { traceId: pending.traceId, spanId: pending.span.spanId } : undefined;
    return this.deps.tracer.inSpan('authorization response (callback)', { 'oauth.has_code': query.has('code'), 'oauth.error': query.get('error') ?? undefined }, async (span) => {
      const fail = (error: string, description: string): SignInResult => {
        span.set({ outcome: error });
        span.end('error');
        pending?.span.set({ outcome: error });
        pending?.span.end('error');
        return { ok: false, error, description, traceId: pending?.traceId };
      };
      if (!pending) return fail('no_sign_in_pending', 'This sign-in window does not belong to a sign-in the host started (or it was already used).');
      if (!this.provider.consumeState(query.get('state'))) return fail('state_mismatch', 'The response does not carry the state of the request the host sent.');
      const { issuer, required } = this.provider.expectedIssuer();
      const iss = query.get('iss');
      span.set({ 'oauth.iss': iss ?? undefined, 'oauth.expected_iss': issuer });
      if (iss !== null ? iss !== issuer : required) return fail('issuer_mismatch', `The response came from "${iss ?? 'an unnamed issuer'}", not from ${issuer}.`);
      const error = query.get('error');
      if (error) return fail(error, query.get('error_description') ?? (error === 'access_denied' ? 'Access was denied.' : 'The authorization server refused.'));
      const code = query.get('code');
      if (!code) return fail('invalid_request', 'The response carries neither a code nor an error.');
      try {
        await this.transport().finishAuth(code);
      } catch (err) {
        return fail('token_request_failed', (err as Error).message);
      }
      await this.reset();
      span.set({ outcome: 'signed_in', claims: decodeClaims(this.provider.tokens()?.access_token) });
      pending.span.set({ outcome: 'signed_in' });
      pending.span.end();
      return { ok: true, traceId: pending.traceId };
    }, parent);
  }

  describe() {
    return {
      mcpUrl: this.url,
      connected: this.connected,
      server: this.server,
      signInPending: Boolean(this.signIn),
      auth: this.provider.describe(),
    };
  }
}

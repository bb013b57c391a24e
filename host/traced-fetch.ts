// The fetch the MCP SDK transport uses: every request the host makes (MCP, discovery, registration,
// token) becomes a host span and carries `traceparent`, so the services' spans join the same trace.
// What the span records is chosen to teach without leaking: status, the challenge header, the MCP
// method, and the decoded claims of a token the auth server issues, never a token or a header value
// that holds one.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { decodeClaims } from './claims.js';
import type { Lanes } from './lanes.js';
import { traceparent, type Tracer } from './tracing.js';

function describeBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'string' && body.startsWith('{')) {
    try {
      const msg = JSON.parse(body);
      const out: Record<string, unknown> = {};
      if (typeof msg.method === 'string') out['mcp.method'] = msg.method;
      if (msg.method === 'tools/call') out['mcp.tool'] = msg.params?.name;
      if (msg.method === 'resources/read') out['mcp.resource'] = msg.params?.uri;
      return out;
    } catch {
      return {};
    }
  }
  if (body instanceof URLSearchParams) {
    // token endpoint form: the grant type and scope are worth showing; code, verifier and secrets are not
    const out: Record<string, unknown> = {};
    for (const key of ['grant_type', 'scope', 'resource', 'client_id']) if (body.get(key)) out[`oauth.${key}`] = body.get(key);
    return out;
  }
  return {};
}

async function describeTokenResponse(res: Response): Promise<Record<string, unknown>> {
  if (!res.headers.get('content-type')?.includes('json')) return {};
  try {
    const body = await res.clone().json();
    if (!body || typeof body !== 'object') return {};
    const out: Record<string, unknown> = {};
    if (typeof body.error === 'string') out['oauth.error'] = body.error;
    const claims = decodeClaims(body.access_token);
    if (claims) {
      out.claims = claims;
      out['oauth.expires_in'] = body.expires_in;
      out['oauth.refresh_token_issued'] = typeof body.refresh_token === 'string';
    }
    if (typeof body.client_id === 'string' && Array.isArray(body.redirect_uris)) out['oauth.registered_client_id'] = body.client_id;
    return out;
  } catch {
    return {};
  }
}

export function createTracedFetch(tracer: Tracer, lanes: Lanes, mcpUrl: string): FetchLike {
  return async (input, init) => {
    const url = new URL(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    const peer = lanes.laneOf(url.href, mcpUrl);
    const span = tracer.start(`${method} ${url.pathname}`, {
      'http.method': method,
      'http.url': `${url.origin}${url.pathname}`,
      ...(peer ? { peer } : {}),
      ...describeBody(init?.body),
    });
    const headers = new Headers(init?.headers);
    headers.set('traceparent', traceparent(span));
    try {
      const res = await fetch(input, { ...init, headers });
      span.set({ 'http.status': res.status });
      const challenge = res.headers.get('www-authenticate');
      if (challenge) span.set({ 'http.www_authenticate': challenge });
      if (peer === 'auth' && method === 'POST') span.set(await describeTokenResponse(res));
      span.end(res.status >= 400 ? 'error' : 'ok');
      return res;
    } catch (err) {
      span.set({ error: (err as Error).message });
      span.end('error');
      throw err;
    }
  };
}

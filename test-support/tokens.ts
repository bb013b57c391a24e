// Obtains real tokens from a running auth server without the MCP SDK: registers a client by DCR,
// runs the authorization code flow with PKCE through the real pages, and exchanges the code.
import crypto from 'node:crypto';
import { basicAuthorization } from '../common/basic-auth.js';
import type { StackConfig } from '../common/config.js';
import { FormBrowser } from './browser.js';
import { authorizeInBrowser } from './oauth.js';

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  redirect_uri: string;
}

export async function registerClient(config: StackConfig, metadata: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const redirect_uri = 'http://127.0.0.1:1/callback';
  const res = await fetch(`${config.auth.publicUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test agent', redirect_uris: [redirect_uri], grant_types: ['authorization_code'],
      response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', ...metadata,
    }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return { client_id: body.client_id, client_secret: body.client_secret, redirect_uri };
}

/** the client_secret_basic header, as the tests call it */
export const basicAuth = basicAuthorization;

/** posts a form to the token endpoint; returns status and parsed JSON */
export async function tokenRequest(config: StackConfig, form: Record<string, string>, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(`${config.auth.publicUrl}/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** a user's access token for the MCP server, from the real code flow (sign-in + consent) */
export async function userMcpToken(
  config: StackConfig,
  { email = 'alice@demo.example', scope = 'portfolio:read', client }: { email?: string; scope?: string; client?: RegisteredClient } = {},
): Promise<{ accessToken: string; client: RegisteredClient }> {
  const c = client ?? (await registerClient(config));
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${config.auth.publicUrl}/auth`);
  url.search = new URLSearchParams({
    client_id: c.client_id, response_type: 'code', redirect_uri: c.redirect_uri, scope,
    resource: config.mcpResource, code_challenge: challenge, code_challenge_method: 'S256', state: 'x',
  }).toString();
  const { code } = await authorizeInBrowser(new FormBrowser(), url.href, c.redirect_uri, { email });
  if (!code) throw new Error('no authorization code');
  const { status, body } = await tokenRequest(config, {
    grant_type: 'authorization_code', code, redirect_uri: c.redirect_uri, code_verifier: verifier, resource: config.mcpResource,
  }, basicAuth(c.client_id, c.client_secret!));
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, client: c };
}

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** the mcp-server client's token exchange: user's MCP token -> API token */
export function exchangeToken(config: StackConfig, subjectToken: string, extra: Record<string, string> = {}) {
  return tokenRequest(config, {
    grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE,
    resource: config.apiResource, ...extra,
  }, basicAuth('mcp-server', config.mcpServerClientSecret));
}

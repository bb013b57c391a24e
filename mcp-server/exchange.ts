// Token exchange client: trades the host's MCP token for a narrower API token at the auth server
// (RFC 8693, as the `mcp-server` client). The host token itself never leaves this server.
// Exchanged tokens are cached per (host token, scope) until 30 s before they expire.
import crypto from 'node:crypto';
import type { StackConfig } from '../common/config.js';
import type { JsonClient } from '../common/http-client.js';
import { currentSpan } from '../common/trace.js';
import { mcpServerAuthorization } from './client-auth.js';

const EARLY_REFRESH_S = 30;
const MAX_CACHE = 10_000;

export class ExchangeRefused extends Error {
  constructor(readonly error: string, readonly description: string) {
    super(`${error}: ${description}`);
  }
}

export function createTokenExchanger(config: StackConfig, requestJson: JsonClient) {
  const cache = new Map<string, { token: string; exp: number }>();
  const authorization = mcpServerAuthorization(config);
  const tokenUrl = `${config.auth.internalUrl}/token`;

  return {
    async exchange(subjectToken: string, scope: string): Promise<string> {
      const key = crypto.createHash('sha256').update(subjectToken).update('\0').update(scope).digest('base64url');
      const now = Date.now() / 1000;
      const hit = cache.get(key);
      const cached = hit !== undefined && hit.exp - EARLY_REFRESH_S > now;
      currentSpan()?.setAttribute('token_exchange', cached ? 'cached' : 'requested');
      if (cached) return hit.token;

      const res = await requestJson(tokenUrl, {
        method: 'POST',
        headers: { authorization },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: subjectToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          resource: config.apiResource,
          scope,
        }),
      });
      if (res.status !== 200) {
        throw new ExchangeRefused(res.body?.error ?? `http_${res.status}`, res.body?.error_description ?? 'token exchange failed');
      }
      const token: string = res.body.access_token;
      if (cache.size >= MAX_CACHE) cache.clear();
      cache.set(key, { token, exp: now + Number(res.body.expires_in ?? 0) });
      return token;
    },
    /** forget every cached API token (e.g. after a revocation) */
    clear: () => cache.clear(),
  };
}

export type TokenExchanger = ReturnType<typeof createTokenExchanger>;

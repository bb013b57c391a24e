// The official MCP SDK client, headless: connect, and when the server demands sign-in (401) or more
// scope (403 insufficient_scope), drive the auth server's pages like a user, finish the flow, reconnect.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FormBrowser } from './browser.js';
import { authorizeInBrowser } from './oauth.js';
import type { MemoryOAuthProvider } from './sdk-client.js';

export async function connectMcp(url: string, authProvider?: MemoryOAuthProvider) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider });
  const client = new Client({ name: 'mcp-auth-lab-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

export interface SignInLog {
  /** how many times the user was sent to sign in / consent */
  authorizations: number;
}

/**
 * Calls a tool as an MCP host would: on UnauthorizedError the user signs in and consents in the
 * (headless) browser, the transport finishes the flow, and the call is retried on a fresh connection.
 */
export async function callToolSignedIn(
  url: string,
  provider: MemoryOAuthProvider,
  name: string,
  args: Record<string, unknown> = {},
  { email = 'alice@demo.example', log = { authorizations: 0 } as SignInLog } = {},
): Promise<CallToolResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    const client = new Client({ name: 'mcp-auth-lab-test', version: '1.0.0' });
    try {
      // a revoked or expired token is refused already at initialize
      await client.connect(transport);
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    } catch (err) {
      if (!(err instanceof UnauthorizedError) || !provider.authorizationUrl) throw err;
      const authorizationUrl = provider.authorizationUrl;
      provider.authorizationUrl = undefined;
      log.authorizations++;
      const { code } = await authorizeInBrowser(new FormBrowser(), authorizationUrl.href, provider.redirectUri, { email });
      if (!code) throw new Error('authorization returned no code');
      await transport.finishAuth(code);
    } finally {
      await client.close();
    }
  }
  throw new Error(`${name} still unauthorized after signing in`);
}

// How the MCP server authenticates as the static `mcp-server` client on every call to the auth server
// (token exchange, PDP, CIBA, revocation feed): client_secret_basic.
import { basicAuthorization } from '../common/basic-auth.js';
import type { StackConfig } from '../common/config.js';

export function mcpServerAuthorization(config: StackConfig): string {
  return basicAuthorization('mcp-server', config.mcpServerClientSecret);
}

// How the MCP server authenticates as the static `mcp-server` client on every call to the auth server
// (token exchange, PDP, CIBA, revocation feed): client_secret_basic, form-encoded as RFC 6749 §2.3.1 asks.
import type { StackConfig } from '../common/config.js';

export function mcpServerAuthorization(config: StackConfig): string {
  return `Basic ${Buffer.from(`mcp-server:${encodeURIComponent(config.mcpServerClientSecret)}`).toString('base64')}`;
}

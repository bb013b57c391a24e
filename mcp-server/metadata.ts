// RFC 9728 protected resource metadata: how an MCP client learns which authorization server to use.
import type { StackConfig } from '../common/config.js';

export const PRM_PATH = '/.well-known/oauth-protected-resource';

export function resourceMetadataUrl(config: StackConfig): string {
  return `${config.mcp.publicUrl}${PRM_PATH}/mcp`;
}

export function protectedResourceMetadata(config: StackConfig) {
  return {
    resource: config.mcpResource,
    authorization_servers: [config.auth.publicUrl],
    // the minimal set: more is requested by step-up when a tool needs it
    scopes_supported: ['portfolio:read'],
    bearer_methods_supported: ['header'],
    resource_name: 'Portfolio MCP server (mcp-auth-lab)',
    resource_documentation: `${config.mcp.publicUrl}/`,
  };
}

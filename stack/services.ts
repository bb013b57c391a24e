// Every service of the stack, in start order: the launcher, compose.yaml and the tests all use this list.
// Each is imported only when started, so the auth server answers discovery before the MCP SDK has loaded.
import type { StackConfig } from '../common/config.js';
import type { RunningService } from '../auth-server/server.js';

export type { RunningService };

export const services = {
  'auth-server': async (config: StackConfig) => (await import('../auth-server/server.js')).startAuthServer(config),
  'portfolio-api': async (config: StackConfig) => (await import('../portfolio-api/server.js')).startPortfolioApi(config),
  'mcp-server': async (config: StackConfig) => (await import('../mcp-server/server.js')).startMcpServer(config),
  host: async (config: StackConfig) => (await import('../host/server.js')).startHost(config),
} satisfies Record<string, (config: StackConfig) => Promise<RunningService>>;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

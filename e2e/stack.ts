// Where the e2e stack runs: its own ports (19000-19003 unless E2E_PORT_BASE says otherwise), so it never
// collides with a developer's `npm start` on 9000-9003. Shared by playwright.config.ts and the specs.
const base = Number(process.env.E2E_PORT_BASE ?? 19000);

export const ports = { auth: base, mcp: base + 1, api: base + 2, host: base + 3 };

export const urls = {
  auth: `http://localhost:${ports.auth}`,
  mcp: `http://localhost:${ports.mcp}/mcp`,
  api: `http://localhost:${ports.api}`,
  host: `http://localhost:${ports.host}`,
};

/** the environment the launcher gets (DATA_DIR is added by e2e/start-stack.mjs) */
export const stackEnv: Record<string, string> = {
  AUTH_PORT: String(ports.auth),
  MCP_PORT: String(ports.mcp),
  API_PORT: String(ports.api),
  HOST_PORT: String(ports.host),
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
};

// One documented defaults object for the whole stack. Every value can be overridden from the
// environment, so the same build runs on a laptop, in CI (random ports, temp data) and behind a tunnel.
import path from 'node:path';
import { repoRoot } from './paths.js';

export interface ServiceAddress {
  /** port the service listens on */
  port: number;
  /** URL browsers and other parties see (a tunnel or proxy may sit in front) */
  publicUrl: string;
  /** URL the other services of the stack use to reach it */
  internalUrl: string;
}

export interface StackConfig {
  host: string;
  dataDir: string;
  auth: ServiceAddress;
  mcp: ServiceAddress;
  api: ServiceAddress;
  hostApp: ServiceAddress;
  /** how the host registers with an auth server: 'auto' (CIMD when advertised, else DCR) or always 'dcr' */
  hostRegistration: 'auto' | 'dcr';
  /** the MCP server's resource identifier: public URL + /mcp, no trailing slash */
  mcpResource: string;
  /** the portfolio API's resource identifier */
  apiResource: string;
  /** accept http://localhost Client ID Metadata Documents and redirect URIs */
  localMode: boolean;
  /** answer missing/insufficient tokens with an error tool result carrying _meta["mcp/www_authenticate"] (ChatGPT) */
  challengeInToolResult: boolean;
  /** secret of the static `mcp-server` client (client_secret_basic) */
  mcpServerClientSecret: string;
  consentTtlDays: number;
  /** how long a user has to approve a trade (CIBA requested_expiry, at most 120 s) */
  approvalTimeoutSeconds: number;
  dynamicClientMaxIdleDays: number;
  registrationRateLimitPerMinute: number;
  tokenExchangeMaxChainDepth: number;
  /** registration rules file; unset means auth-server/policies/registration.json */
  registrationPolicyFile?: string;
  /** the PDP's access policy (tools, scopes, trade thresholds); re-read when it changes */
  accessPolicyFile?: string;
  cookieKeys: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

type Env = Record<string, string | undefined>;

function address(env: Env, prefix: string, defaultPort: number, host: string): ServiceAddress {
  const raw = env[`${prefix}_PORT`] ?? String(defaultPort);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${prefix}_PORT must be a port number (0-65535), got "${raw}"`);
  const local = `http://${host}:${port}`;
  const publicUrl = stripSlash(env[`${prefix}_PUBLIC_URL`] ?? local);
  return { port, publicUrl, internalUrl: stripSlash(env[`${prefix}_INTERNAL_URL`] ?? publicUrl) };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): StackConfig {
  const host = env.STACK_HOST ?? 'localhost';
  const auth = address(env, 'AUTH', 9000, host);
  const mcp = address(env, 'MCP', 9001, host);
  const api = address(env, 'API', 9002, host);
  const hostApp = address(env, 'HOST', 9003, host);
  return {
    host,
    dataDir: path.resolve(env.DATA_DIR ?? path.join(repoRoot, 'data')),
    auth,
    mcp,
    api,
    hostApp,
    hostRegistration: env.HOST_REGISTRATION === 'dcr' ? 'dcr' : 'auto',
    mcpResource: `${mcp.publicUrl}/mcp`,
    apiResource: api.publicUrl,
    localMode: (env.LOCAL_MODE ?? 'true') !== 'false',
    challengeInToolResult: env.MCP_CHALLENGE_IN_TOOL_RESULT === 'true',
    mcpServerClientSecret: env.MCP_SERVER_CLIENT_SECRET ?? 'mcp-server-local-secret-change-me',
    consentTtlDays: Number(env.CONSENT_TTL_DAYS ?? 180),
    approvalTimeoutSeconds: Math.min(120, Number(env.APPROVAL_TIMEOUT_SECONDS ?? 120)),
    dynamicClientMaxIdleDays: Number(env.DYNAMIC_CLIENT_MAX_IDLE_DAYS ?? 30),
    registrationRateLimitPerMinute: Number(env.REGISTRATION_RATE_LIMIT ?? 20),
    tokenExchangeMaxChainDepth: Number(env.TOKEN_EXCHANGE_MAX_CHAIN_DEPTH ?? 3),
    registrationPolicyFile: env.REGISTRATION_POLICY_FILE ? path.resolve(env.REGISTRATION_POLICY_FILE) : undefined,
    accessPolicyFile: env.ACCESS_POLICY_FILE ? path.resolve(env.ACCESS_POLICY_FILE) : undefined,
    cookieKeys: (env.COOKIE_KEYS ?? 'local-cookie-key-change-me').split(','),
    logLevel: (env.LOG_LEVEL ?? 'info') as StackConfig['logLevel'],
  };
}

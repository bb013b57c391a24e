// What the portfolio API tests share: a real auth server + real API on free ports, real API tokens
// (user sign-in and consent for an MCP token, then the mcp-server token exchange), a JSON client, and
// a full dump of the API's SQLite file to prove a refused request changed nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { basicAuth, exchangeToken, tokenRequest, userMcpToken } from '../../test-support/tokens.js';

export async function startApiStack(): Promise<TestStack> {
  return startTestStack(['auth-server', 'portfolio-api']);
}

export interface ApiToken {
  /** the API access token (audience = the API) */
  token: string;
  /** the user's MCP-audience token it was exchanged from */
  mcpToken: string;
  /** the MCP host client the user consented to */
  hostClientId: string;
}

/** a real API token for a demo user: code flow for the MCP audience, then token exchange by mcp-server */
export async function apiToken(stack: TestStack, email: string, mcpScope = 'portfolio:read portfolio:trade'): Promise<ApiToken> {
  const { accessToken, client } = await userMcpToken(stack.config, { email, scope: mcpScope });
  const { status, body } = await exchangeToken(stack.config, accessToken);
  assert.equal(status, 200, `token exchange failed: ${JSON.stringify(body)}`);
  return { token: body.access_token, mcpToken: accessToken, hostClientId: client.client_id };
}

/** the mcp-server client's own client_credentials token for the API (no user behind it) */
export async function serviceToken(stack: TestStack, scope: string): Promise<string> {
  const { status, body } = await tokenRequest(stack.config, {
    grant_type: 'client_credentials', scope, resource: stack.config.apiResource,
  }, basicAuth('mcp-server', stack.config.mcpServerClientSecret));
  assert.equal(status, 200, `client_credentials failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** one request to the API; `body` is sent as JSON unless it is already a string */
export async function call(
  stack: TestStack,
  method: string,
  path: string,
  { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const res = await fetch(`${stack.config.api.publicUrl}${path}`, {
    method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON: keep the text */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** asserts a JSON error answer */
export function assertError(res: ApiResponse, status: number, error: string, description?: RegExp): void {
  assert.equal(res.status, status, `expected ${status} ${error}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error, error);
  assert.equal(typeof res.body.error_description, 'string');
  if (description) assert.match(res.body.error_description, description);
}

/** opens the API's SQLite file (WAL: reads see committed data while the API runs) */
export function openApiDb(stack: TestStack, readonly = true): Database.Database {
  return new Database(path.join(stack.dataDir, 'api.db'), { readonly });
}

/** every row of every table the API writes */
export function dumpDb(stack: TestStack): Record<string, unknown[]> {
  const db = openApiDb(stack);
  try {
    const tables = ['instruments', 'accounts', 'holdings', 'trades', 'trade_intents', 'withdrawals'];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

/** what a client sees plus what is stored, for before/after comparisons */
export async function snapshot(stack: TestStack, token: string) {
  const portfolio = await call(stack, 'GET', '/portfolio', { token });
  const trades = await call(stack, 'GET', '/trades', { token });
  assert.equal(portfolio.status, 200);
  assert.equal(trades.status, 200);
  return { portfolio: portfolio.body, trades: trades.body, db: dumpDb(stack) };
}

export function holdingOf(portfolio: any, symbol: string): number {
  return portfolio.holdings.find((h: any) => h.symbol === symbol)?.quantity ?? 0;
}

/** money equality to the cent (JSON decimals are floats) */
export function assertMoney(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 0.005, `${message ?? 'amount'}: expected ${expected}, got ${actual}`);
}

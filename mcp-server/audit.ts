// The MCP server's audit trail: one row per MCP request in SQLite plus one structured log line.
// Who (sub, host client, the full act chain of the host token and of the API token used), what
// (JSON-RPC methods, tool), the decision and the outcome. Never a token.
import { openDatabase, type Db } from '../common/db.js';
import type { Logger } from '../common/log.js';

export interface AuditRecord {
  time: number;
  methods: string[];
  tool?: string;
  sub?: string;
  clientId?: string;
  act?: unknown;
  apiAct?: unknown;
  decision: 'allow' | 'challenge' | 'deny' | 'invalid_token' | 'bad_request';
  status?: number;
  outcome?: string;
  ms?: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, methods TEXT NOT NULL, tool TEXT,
  sub TEXT, client_id TEXT, act TEXT, api_act TEXT, decision TEXT NOT NULL, status INTEGER, outcome TEXT, ms REAL);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
CREATE TABLE IF NOT EXISTS pending_approvals (
  trade_id TEXT PRIMARY KEY, auth_req_id TEXT NOT NULL, sub TEXT NOT NULL, client_id TEXT NOT NULL,
  order_json TEXT NOT NULL, binding_message TEXT NOT NULL, expires_at INTEGER NOT NULL,
  interval INTEGER NOT NULL, next_poll_at REAL NOT NULL, status TEXT NOT NULL, result_json TEXT, created_at INTEGER NOT NULL);
`;

export function openMcpStore(dataDir: string): Db {
  return openDatabase(dataDir, 'mcp', schema);
}

export function createAudit(db: Db, log: Logger) {
  const insert = db.prepare(
    `INSERT INTO audit (time, methods, tool, sub, client_id, act, api_act, decision, status, outcome, ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return function write(r: AuditRecord): void {
    insert.run(r.time, r.methods.join(','), r.tool ?? null, r.sub ?? null, r.clientId ?? null, json(r.act), json(r.apiAct),
      r.decision, r.status ?? null, r.outcome ?? null, r.ms ?? null);
    log.info('mcp request', {
      methods: r.methods, tool: r.tool, sub: r.sub, client_id: r.clientId, act: r.act, api_act: r.apiAct,
      decision: r.decision, status: r.status, outcome: r.outcome, ms: r.ms,
    });
  };
}

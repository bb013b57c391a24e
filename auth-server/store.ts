// The auth server's SQLite file: oidc-provider models plus our own tables (mail, codes, usage, audit).
import { openDatabase, type Db } from '../common/db.js';

const schema = `
CREATE TABLE IF NOT EXISTS oidc (
  model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL,
  grant_id TEXT, user_code TEXT, uid TEXT, expires_at INTEGER, consumed_at INTEGER,
  PRIMARY KEY (model, id));
CREATE INDEX IF NOT EXISTS oidc_grant ON oidc (grant_id);
CREATE INDEX IF NOT EXISTS oidc_uid ON oidc (uid);
CREATE INDEX IF NOT EXISTS oidc_user_code ON oidc (user_code);
CREATE TABLE IF NOT EXISTS mail (
  id INTEGER PRIMARY KEY AUTOINCREMENT, "to" TEXT NOT NULL, subject TEXT NOT NULL,
  body TEXT NOT NULL, code TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS login_codes (
  email TEXT PRIMARY KEY, code_hash TEXT NOT NULL, expires_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS issued_tokens (
  jti TEXT PRIMARY KEY, grant_id TEXT, client_id TEXT, account_id TEXT, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS issued_tokens_grant ON issued_tokens (grant_id);
CREATE TABLE IF NOT EXISTS revoked_grants (grant_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS client_usage (
  client_id TEXT NOT NULL, account_id TEXT NOT NULL DEFAULT '', last_used_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, account_id));
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY, auth_req_id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL, client_id TEXT NOT NULL,
  host_client_id TEXT, agent_name TEXT, client_type TEXT, client_assurance_level INTEGER, act TEXT, binding_message TEXT, scope TEXT NOT NULL, authorization_details TEXT NOT NULL,
  status TEXT NOT NULL, receipt TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, decided_at INTEGER);
CREATE INDEX IF NOT EXISTS approvals_account ON approvals (account_id, status);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, event TEXT NOT NULL,
  client_id TEXT, account_id TEXT, outcome TEXT NOT NULL, detail TEXT);
`;

export function openAuthStore(dataDir: string): Db {
  return openDatabase(dataDir, 'auth', schema);
}

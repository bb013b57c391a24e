// The auth server's audit trail: every refusal and every decision that matters (token requests refused,
// registrations, consent, approvals, PDP decisions), one row each in SQLite plus the structured log line.
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';

export interface AuditEntry {
  clientId?: string;
  accountId?: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export function createAuthAudit(db: Db, log: Logger) {
  const insert = db.prepare('INSERT INTO audit (time, event, client_id, account_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)');
  return function audit(event: string, { clientId, accountId, outcome, detail }: AuditEntry): void {
    insert.run(Date.now(), event, clientId ?? null, accountId ?? null, outcome, detail ? JSON.stringify(detail) : null);
    log.info(event, { client_id: clientId, sub: accountId, outcome, ...detail });
  };
}

export type AuthAudit = ReturnType<typeof createAuthAudit>;

// Pending and decided backchannel (CIBA) approvals: what the user is asked to approve, and the signed
// receipt of what they decided. Keyed by a short id of our own (the QR code and pages use it, never
// the auth_req_id, which stays between the MCP server and the token endpoint).
import crypto from 'node:crypto';
import type { Db } from '../../common/db.js';
import { epochSeconds } from '../../common/db.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied';

export interface Approval {
  id: string;
  authReqId: string;
  accountId: string;
  clientId: string;
  hostClientId?: string;
  /** the agent's display name, as the consent page showed it */
  agentName?: string;
  /** the agent's registration facts, carried into the approved token */
  clientType?: string;
  clientAssuranceLevel?: number;
  act?: { sub: string; act?: unknown };
  bindingMessage?: string;
  scope: string;
  authorizationDetails: Record<string, any>[];
  status: ApprovalStatus;
  receipt?: string;
  createdAt: number;
  expiresAt: number;
  decidedAt?: number;
}

const fromRow = (r: any): Approval => ({
  id: r.id,
  authReqId: r.auth_req_id,
  accountId: r.account_id,
  clientId: r.client_id,
  hostClientId: r.host_client_id ?? undefined,
  agentName: r.agent_name ?? undefined,
  clientType: r.client_type ?? undefined,
  clientAssuranceLevel: r.client_assurance_level ?? undefined,
  act: r.act ? JSON.parse(r.act) : undefined,
  bindingMessage: r.binding_message ?? undefined,
  scope: r.scope,
  authorizationDetails: JSON.parse(r.authorization_details),
  status: r.status,
  receipt: r.receipt ?? undefined,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at ?? undefined,
});

export function createApprovalStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO approvals (id, auth_req_id, account_id, client_id, host_client_id, agent_name, client_type, client_assurance_level, act,
       binding_message, scope, authorization_details, status, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  );
  const byId = db.prepare('SELECT * FROM approvals WHERE id = ?');
  const byAuthReq = db.prepare('SELECT * FROM approvals WHERE auth_req_id = ?');
  const forAccount = db.prepare('SELECT * FROM approvals WHERE account_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 50');
  // only a pending, unexpired approval can be decided, and only once
  const decide = db.prepare(
    `UPDATE approvals SET status = ?, receipt = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`,
  );

  return {
    create(a: Omit<Approval, 'id' | 'status' | 'createdAt'>): Approval {
      const id = crypto.randomBytes(9).toString('base64url');
      const now = epochSeconds();
      insert.run(id, a.authReqId, a.accountId, a.clientId, a.hostClientId ?? null, a.agentName ?? null, a.clientType ?? null,
        a.clientAssuranceLevel ?? null, a.act ? JSON.stringify(a.act) : null,
        a.bindingMessage ?? null, a.scope, JSON.stringify(a.authorizationDetails), now, a.expiresAt);
      return { ...a, id, status: 'pending', createdAt: now };
    },
    get(id: string): Approval | undefined {
      const row = byId.get(id);
      return row ? fromRow(row) : undefined;
    },
    byAuthReqId(authReqId: string): Approval | undefined {
      const row = byAuthReq.get(authReqId);
      return row ? fromRow(row) : undefined;
    },
    listForAccount(accountId: string): Approval[] {
      return forAccount.all(accountId).map(fromRow);
    },
    /** true when this call decided it (false: already decided or expired) */
    decide(id: string, status: 'approved' | 'denied', receipt: string): boolean {
      const now = epochSeconds();
      return decide.run(status, receipt, now, id, now).changes === 1;
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;

export const isExpired = (a: Approval) => a.expiresAt <= epochSeconds();

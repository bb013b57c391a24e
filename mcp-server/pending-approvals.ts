// Trades waiting for the user's approval, kept in SQLite so a restart of any service loses nothing:
// trade id <-> auth_req_id, the order as quoted, the binding message, and when we may poll next.
import type { Db } from '../common/db.js';

export type ApprovalState = 'pending' | 'executed' | 'denied' | 'expired' | 'failed';

export interface PendingApproval {
  tradeId: string;
  authReqId: string;
  sub: string;
  clientId: string;
  order: Record<string, any>;
  bindingMessage: string;
  expiresAt: number;
  interval: number;
  nextPollAt: number;
  status: ApprovalState;
  result?: Record<string, any>;
}

export function createPendingApprovals(db: Db) {
  const insert = db.prepare(
    `INSERT INTO pending_approvals (trade_id, auth_req_id, sub, client_id, order_json, binding_message, expires_at, interval, next_poll_at, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
  );
  const get = db.prepare('SELECT * FROM pending_approvals WHERE trade_id = ?');
  const schedule = db.prepare('UPDATE pending_approvals SET interval = ?, next_poll_at = ? WHERE trade_id = ?');
  const finish = db.prepare(`UPDATE pending_approvals SET status = ?, result_json = ? WHERE trade_id = ? AND status = 'pending'`);

  return {
    add(p: Omit<PendingApproval, 'status' | 'nextPollAt'>): void {
      insert.run(p.tradeId, p.authReqId, p.sub, p.clientId, JSON.stringify(p.order), p.bindingMessage, p.expiresAt, p.interval, Date.now() / 1000 + p.interval, Date.now());
    },
    get(tradeId: string): PendingApproval | undefined {
      const r = get.get(tradeId) as any;
      if (!r) return undefined;
      return {
        tradeId: r.trade_id, authReqId: r.auth_req_id, sub: r.sub, clientId: r.client_id, order: JSON.parse(r.order_json),
        bindingMessage: r.binding_message, expiresAt: r.expires_at, interval: r.interval, nextPollAt: r.next_poll_at,
        status: r.status, result: r.result_json ? JSON.parse(r.result_json) : undefined,
      };
    },
    /** the next poll may go to the token endpoint `interval` seconds after this one started */
    schedule(tradeId: string, interval: number, polledAt: number): void {
      schedule.run(interval, polledAt + interval, tradeId);
    },
    finish(tradeId: string, status: Exclude<ApprovalState, 'pending'>, result: Record<string, unknown>): void {
      finish.run(status, JSON.stringify(result), tradeId);
    },
  };
}

export type PendingApprovals = ReturnType<typeof createPendingApprovals>;

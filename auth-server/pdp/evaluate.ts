// The decision itself (OpenID AuthZEN evaluation shape): subject, action, resource, context in;
// decision plus context (reasons, obligations) out. Checks, in order:
//  1. the tool is known to the policy                      -> else deny
//  2. public tools                                         -> permit
//  3. a subject is present                                 -> else deny (sign-in required)
//  4. the subject's token carries the tool's scopes        -> else deny
//  5. the agent's client_assurance_level is high enough    -> else deny
//  6. trades: total in the threshold currency              -> permit / permit + user_approval / deny
import crypto from 'node:crypto';
import type { AccessPolicy } from './policy.js';

export interface EvaluationRequest {
  subject?: { type?: string; id?: string; properties?: { scope?: string; client_id?: string; client_assurance_level?: number; act?: unknown } };
  action?: { name?: string };
  resource?: { type?: string; id?: string; properties?: { symbol?: string; quantity?: number; total?: number; currency?: string; total_eur?: number } };
  context?: Record<string, unknown>;
}

export interface EvaluationResponse {
  decision: boolean;
  context: {
    id: string;
    reason_admin: { en: string };
    reason_user?: { en: string };
    obligations?: { id: string }[];
  };
}

const permit = (why: string, obligations?: { id: string }[], user?: string): EvaluationResponse => ({
  decision: true,
  context: { id: crypto.randomUUID(), reason_admin: { en: why }, ...(user ? { reason_user: { en: user } } : {}), ...(obligations ? { obligations } : {}) },
});
const deny = (why: string, user = why): EvaluationResponse => ({
  decision: false,
  context: { id: crypto.randomUUID(), reason_admin: { en: why }, reason_user: { en: user } },
});

export function evaluate(policy: AccessPolicy, req: EvaluationRequest): EvaluationResponse {
  const tool = req.resource?.id ?? req.action?.name ?? '';
  const rule = policy.tools[tool];
  if (!rule) return deny(`tool ${tool || '(none)'} is not in the access policy`, 'This action is not available.');
  if (rule.public) return permit(`${tool} is public`);
  if (!req.subject?.id) return deny(`${tool} needs a signed-in user`, 'Please sign in first.');

  const held = new Set(String(req.subject.properties?.scope ?? '').split(' '));
  const missing = (rule.scopes ?? []).filter((s) => !held.has(s));
  if (missing.length) return deny(`token lacks scope ${missing.join(' ')}`, 'Your agent has not been given permission for this.');
  const level = Number(req.subject.properties?.client_assurance_level ?? 0);
  if (level < (rule.min_assurance_level ?? 0)) {
    return deny(`client assurance level ${level} is below ${rule.min_assurance_level}`, 'This agent is not trusted enough for this action.');
  }
  if (!rule.trade) return permit(`${tool} permitted for ${req.subject.id}`);

  const t = policy.trade_thresholds;
  const total = req.resource?.properties?.total_eur;
  if (typeof total !== 'number' || !Number.isFinite(total) || total <= 0) return deny('trade total is missing', 'The trade could not be priced.');
  const amount = `${total.toFixed(2)} ${t.currency}`;
  if (total > t.deny_above) {
    return deny(`trade total ${amount} is above the ${t.deny_above} ${t.currency} limit`,
      `Trades above ${t.deny_above} ${t.currency} are not allowed through an agent (this one is ${amount}).`);
  }
  if (total >= t.approval_from) {
    return permit(`trade total ${amount} needs user approval (${t.approval_from}-${t.deny_above} ${t.currency})`, [{ id: 'user_approval' }],
      `Trades from ${t.approval_from} ${t.currency} need your approval.`);
  }
  return permit(`trade total ${amount} is below ${t.approval_from} ${t.currency}`);
}

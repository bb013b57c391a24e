// Carries out a user's decision on an approval: records it with a signed receipt (exactly once), then
// tells oidc-provider, so the MCP server's next poll gets the transaction token or access_denied.
import { errors } from 'oidc-provider';
import type { StackConfig } from '../../common/config.js';
import type { AuthAudit } from '../audit.js';
import { isExpired, type Approval, type ApprovalStore } from './store.js';

export type DecisionOutcome = 'decided' | 'already_decided' | 'expired';

export function createDecider(provider: any, config: StackConfig, approvals: ApprovalStore, signReceipt: (a: Approval, d: 'approved' | 'denied') => Promise<string>, audit: AuthAudit) {
  return async function decide(approval: Approval, decision: 'approved' | 'denied'): Promise<DecisionOutcome> {
    if (approval.status !== 'pending') return 'already_decided';
    if (isExpired(approval)) return 'expired';
    const receipt = await signReceipt(approval, decision);
    if (!approvals.decide(approval.id, decision, receipt)) return approvals.get(approval.id)?.status === 'pending' ? 'expired' : 'already_decided';

    if (decision === 'approved') {
      const grant = new provider.Grant({ accountId: approval.accountId, clientId: approval.clientId });
      const scopes = approval.scope.split(' ');
      grant.addOIDCScope(scopes.filter((s) => s === 'openid').join(' '));
      grant.addResourceScope(config.apiResource, scopes.filter((s) => s !== 'openid').join(' '));
      const grantId = await grant.save();
      await provider.backchannelResult(approval.authReqId, grantId, { rar: approval.authorizationDetails });
    } else {
      await provider.backchannelResult(approval.authReqId, new errors.AccessDenied('the user denied the request'));
    }
    audit('approval.decided', { clientId: approval.hostClientId, accountId: approval.accountId, outcome: decision, detail: { approval_id: approval.id, scope: approval.scope } });
    return 'decided';
  };
}

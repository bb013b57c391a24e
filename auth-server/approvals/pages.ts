// The "authenticator app": the approval page a user reaches by scanning the animated QR code (or from
// /account), the Approve / Deny actions, and the QR frame feed for the MCP server.
// The page requires the same user to be signed in here; a scanned QR link must be fresh.
import QRCode from 'qrcode';
import { decodeJwt } from 'jose';
import { readForm } from '../../common/http.js';
import type { Router } from '../pages.js';
import { renderPage } from '../pages.js';
import { requireServiceClient, type ServiceClientCheck } from '../service-client.js';
import type { SignIn } from '../sign-in.js';
import type { createDecider } from './decide.js';
import type { QrFrames } from './qr.js';
import { isExpired, type Approval, type ApprovalStore } from './store.js';

export function describeApproval(a: Approval) {
  const trade = a.authorizationDetails.find((d) => d.type === 'stock_trade') ?? {};
  const status = a.status === 'pending' && isExpired(a) ? 'expired' : a.status;
  return {
    id: a.id,
    status,
    agent: a.agentName ?? a.hostClientId ?? a.clientId,
    agentId: a.hostClientId ?? a.clientId,
    bindingMessage: a.bindingMessage,
    side: trade.actions?.[0],
    symbol: trade.symbol,
    name: trade.name,
    quantity: trade.quantity,
    price: trade.price,
    total: trade.total,
    currency: trade.currency,
    tradeId: trade.trade_id,
    expiresAt: a.expiresAt,
    secondsLeft: Math.max(0, a.expiresAt - Math.floor(Date.now() / 1000)),
    receipt: a.receipt,
    receiptClaims: a.receipt ? decodeJwt(a.receipt) : undefined,
  };
}

export function registerApprovalPages(
  router: Router, approvals: ApprovalStore, signIn: SignIn, qr: QrFrames,
  decide: ReturnType<typeof createDecider>, isServiceClient: ServiceClientCheck,
) {
  const notFound = (ctx: any) => renderPage(ctx, 'error', 'Not found', { error: 'not_found', description: 'There is no such approval request on your account.' }, 404);

  function showApproval(ctx: any, id: string, notice?: string) {
    const user = signIn.signedInUser(ctx);
    if (!user) {
      return renderPage(ctx, 'login', 'Sign in', { action: '/account', returnTo: `/approvals/${encodeURIComponent(id)}`, demoUsers: signIn.demoUsers, notice: 'Sign in to review the request.' });
    }
    const approval = approvals.get(id);
    if (!approval || approval.accountId !== user.email) return notFound(ctx);
    renderPage(ctx, 'approval', 'Approve trade', { user: user.email, approval: describeApproval(approval), notice });
  }

  // for the MCP server's widget: the QR frame to show this second, by auth_req_id (client-authenticated)
  router.get('/approvals/qr', async (ctx) => {
    if (!requireServiceClient(ctx, isServiceClient)) return;
    const approval = approvals.byAuthReqId(String(ctx.query.auth_req_id ?? ''));
    if (!approval) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'no approval for this auth_req_id' };
      return;
    }
    const url = qr.frame(approval.id);
    ctx.set('cache-control', 'no-store');
    ctx.body = { approval_id: approval.id, url, svg: await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }), status: describeApproval(approval).status };
  });

  // scanned from the QR code: the link must be a current frame
  router.get('/approve/:id', (ctx, { id }) => {
    const check = qr.check(id, ctx.query.t, ctx.query.c);
    if (check !== 'ok') {
      return renderPage(ctx, 'error', 'QR code expired', {
        error: check === 'stale' ? 'expired_qr_code' : 'invalid_qr_code',
        description: check === 'stale' ? 'This QR code is too old. Scan the code shown right now in the app.' : 'This link is not a valid approval QR code.',
      }, 400);
    }
    showApproval(ctx, id);
  });

  router.get('/approvals/:id', (ctx, { id }) => showApproval(ctx, id));

  for (const [action, decision] of [['approve', 'approved'], ['deny', 'denied']] as const) {
    router.post(`/approvals/:id/${action}`, async (ctx, { id }) => {
      await readForm(ctx.req);
      const user = signIn.signedInUser(ctx);
      const approval = approvals.get(id);
      if (!user || !approval || approval.accountId !== user.email) return notFound(ctx);
      const outcome = await decide(approval, decision);
      const notice = {
        decided: decision === 'approved' ? 'Approved. The agent can now complete this trade, once.' : 'Denied. The trade will not happen.',
        already_decided: 'This request was already decided.',
        expired: 'This request has expired; nothing was approved.',
      }[outcome];
      showApproval(ctx, id, notice);
    });
  }

}

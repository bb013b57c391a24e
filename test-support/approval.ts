// A real transaction_<id> token, the way the MCP server gets one: CIBA backchannel request for one
// trade intent with the user's MCP token as login_hint_token, the user approves on the approval page
// (signed in on their "phone"), and the token endpoint hands out the approved token.
import type { StackConfig } from '../common/config.js';
import { Phone } from './phone.js';
import { basicAuth, tokenRequest } from './tokens.js';

export interface IntentLike {
  id: string;
  side: string;
  symbol: string;
  quantity: number;
  price: number;
  total: number;
  currency: string;
}

export async function requestApproval(config: StackConfig, mcpToken: string, intent: IntentLike) {
  const auth = basicAuth('mcp-server', config.mcpServerClientSecret);
  const res = await fetch(`${config.auth.publicUrl}/backchannel`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      login_hint_token: mcpToken, scope: `openid transaction_${intent.id}`, resource: config.apiResource,
      binding_message: `${intent.side.toUpperCase()} ${intent.quantity} ${intent.symbol} TEST`,
      authorization_details: JSON.stringify([{
        type: 'stock_trade', actions: [intent.side], trade_id: intent.id, symbol: intent.symbol,
        quantity: intent.quantity, price: intent.price, total: intent.total, currency: intent.currency,
      }]),
    }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`backchannel request refused: ${JSON.stringify(body)}`);
  const qr = (await (await fetch(`${config.auth.publicUrl}/approvals/qr?auth_req_id=${body.auth_req_id}`, { headers: { authorization: auth } })).json()) as any;
  return { authReqId: body.auth_req_id as string, approvalUrl: qr.url as string, auth };
}

export async function approvedTransactionToken(config: StackConfig, mcpToken: string, intent: IntentLike, phone: Phone): Promise<string> {
  const { authReqId, approvalUrl, auth } = await requestApproval(config, mcpToken, intent);
  await phone.decide(await phone.open(approvalUrl), 'approve');
  const { status, body } = await tokenRequest(config, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }, auth);
  if (status !== 200) throw new Error(`CIBA token request failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

// The MCP server's side of CIBA (poll mode): ask the auth server for the user's approval of one trade,
// poll the token endpoint for the outcome, and fetch the current animated-QR frame for the widget.
import type { StackConfig } from '../common/config.js';
import type { JsonClient } from '../common/http-client.js';
import { mcpServerAuthorization } from './client-auth.js';

export type PollResult =
  | { state: 'approved'; token: string }
  | { state: 'pending'; slowDown: boolean }
  | { state: 'denied' | 'expired'; description: string }
  | { state: 'failed'; description: string };

export interface TradeDetail {
  trade_id: string;
  side: 'buy' | 'sell';
  symbol: string;
  name: string;
  quantity: number;
  price: number;
  total: number;
  currency: string;
}

export function createCibaClient(config: StackConfig, requestJson: JsonClient) {
  const authorization = mcpServerAuthorization(config);
  const base = config.auth.internalUrl;

  return {
    async start(hostToken: string, trade: TradeDetail, bindingMessage: string) {
      const res = await requestJson(`${base}/backchannel`, {
        method: 'POST',
        headers: { authorization },
        body: new URLSearchParams({
          login_hint_token: hostToken,
          scope: `openid transaction_${trade.trade_id}`,
          resource: config.apiResource,
          binding_message: bindingMessage,
          requested_expiry: String(config.approvalTimeoutSeconds),
          authorization_details: JSON.stringify([{
            type: 'stock_trade', actions: [trade.side], trade_id: trade.trade_id, symbol: trade.symbol, name: trade.name,
            quantity: trade.quantity, price: trade.price, total: trade.total, currency: trade.currency,
          }]),
        }),
      });
      if (res.status !== 200) throw new Error(`approval request refused: ${res.body?.error} ${res.body?.error_description ?? ''}`);
      return { authReqId: String(res.body.auth_req_id), expiresIn: Number(res.body.expires_in), interval: Number(res.body.interval ?? 5) };
    },

    async poll(authReqId: string): Promise<PollResult> {
      const res = await requestJson(`${base}/token`, {
        method: 'POST',
        headers: { authorization },
        body: new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }),
      });
      if (res.status === 200) return { state: 'approved', token: res.body.access_token };
      const error = res.body?.error;
      const description = res.body?.error_description ?? String(error);
      if (error === 'authorization_pending') return { state: 'pending', slowDown: false };
      if (error === 'slow_down') return { state: 'pending', slowDown: true };
      if (error === 'access_denied') return { state: 'denied', description };
      if (error === 'expired_token') return { state: 'expired', description };
      return { state: 'failed', description };
    },

    async qrFrame(authReqId: string): Promise<{ url: string; svg: string } | undefined> {
      const res = await requestJson(`${base}/approvals/qr?auth_req_id=${encodeURIComponent(authReqId)}`, { headers: { authorization } });
      return res.status === 200 ? { url: res.body.url, svg: res.body.svg } : undefined;
    },
  };
}

export type CibaClient = ReturnType<typeof createCibaClient>;

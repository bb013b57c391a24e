// oidc-provider's CIBA hooks (poll mode). The MCP server asks for a user's approval of one trade with
//  - login_hint_token: the user's own MCP access token (ours, unexpired, for the MCP resource, and its
//    may_act names the requesting client) — the user is its sub, the agent its client_id
//  - scope: openid + exactly one transaction_<id>
//  - authorization_details: one stock_trade describing the trade
//  - binding_message: the short code shown both in the agent's widget and on the approval page
// The request is recorded as an approval the user then decides on the approval page.
import { errors } from 'oidc-provider';
import type { StackConfig } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import { OwnTokenError, type OwnToken, type OwnTokenVerifier } from '../own-tokens.js';
import { TRANSACTION_SCOPE } from '../resources.js';
import type { ApprovalStore } from './store.js';

const BINDING_MESSAGE = /^[\p{L}\p{N} .,:+\-#!?/]{1,60}$/u;
const SIDES = new Set(['buy', 'sell']);

/** RAR type stock_trade: what one trade approval is about */
export function validateStockTrade(_ctx: unknown, detail: Record<string, any>): void {
  const problems: string[] = [];
  if (!Array.isArray(detail.actions) || detail.actions.length !== 1 || !SIDES.has(detail.actions[0])) problems.push('actions must be ["buy"] or ["sell"]');
  if (typeof detail.trade_id !== 'string' || !detail.trade_id) problems.push('trade_id is required');
  if (typeof detail.symbol !== 'string' || !/^[A-Z0-9.]{1,12}$/.test(detail.symbol)) problems.push('symbol is required');
  if (!Number.isInteger(detail.quantity) || detail.quantity <= 0) problems.push('quantity must be a positive integer');
  for (const k of ['price', 'total']) if (typeof detail[k] !== 'number' || !(detail[k] > 0)) problems.push(`${k} must be a positive number`);
  if (typeof detail.currency !== 'string') problems.push('currency is required');
  if (problems.length) throw new errors.InvalidAuthorizationDetails(`stock_trade: ${problems.join('; ')}`);
}

export function cibaFeature(config: StackConfig, verify: OwnTokenVerifier, approvals: ApprovalStore, log: Logger) {
  return {
    enabled: true,
    deliveryModes: ['poll'],

    async processLoginHintToken(ctx: any, token: string) {
      let claims: OwnToken;
      try {
        ({ claims } = await verify(token, [config.mcpResource]));
      } catch (err) {
        if (err instanceof OwnTokenError && err.problem === 'expired') throw new errors.ExpiredLoginHintToken('login_hint_token has expired');
        if (err instanceof OwnTokenError) throw new errors.InvalidRequest(`login_hint_token: ${err.message}`);
        throw err;
      }
      if (claims.may_act?.sub !== ctx.oidc.client.clientId) {
        throw new errors.InvalidRequest('login_hint_token does not allow this client to act for the user');
      }
      ctx.state.loginHint = claims;
      return claims.sub;
    },

    processLoginHint() {
      throw new errors.InvalidRequest("login_hint is not supported: send the user's access token as login_hint_token");
    },

    validateBindingMessage(_ctx: unknown, message: string | undefined) {
      if (!message) throw new errors.InvalidBindingMessage('binding_message is required');
      if (!BINDING_MESSAGE.test(message)) throw new errors.InvalidBindingMessage('binding_message must be 1-60 letters, digits and simple punctuation');
    },

    // request_context is unused; we check here what the approval needs, before the request is stored
    validateRequestContext(ctx: any) {
      const scopes = String(ctx.oidc.params.scope ?? '').split(' ');
      const transactions = scopes.filter((s) => TRANSACTION_SCOPE.test(s));
      if (transactions.length !== 1) throw new errors.InvalidScope('exactly one transaction_<id> scope is required');
      const details = ctx.oidc.params.authorization_details ? JSON.parse(ctx.oidc.params.authorization_details) : [];
      if (details.length !== 1 || details[0].type !== 'stock_trade') {
        throw new errors.InvalidAuthorizationDetails('exactly one stock_trade authorization detail is required');
      }
      if (`transaction_${details[0].trade_id}` !== transactions[0]) {
        throw new errors.InvalidAuthorizationDetails('the transaction scope and the trade_id must name the same trade');
      }
    },

    verifyUserCode() {},

    async triggerAuthenticationDevice(ctx: any, request: any, account: any, client: any) {
      const hint: OwnToken = ctx.state.loginHint;
      const agent = await ctx.oidc.provider.Client.find(hint.client_id).catch(() => undefined);
      const approval = approvals.create({
        authReqId: request.jti,
        accountId: account.accountId,
        clientId: client.clientId,
        hostClientId: hint.client_id,
        agentName: agent?.display_name ?? agent?.clientName,
        clientType: hint.client_type,
        clientAssuranceLevel: hint.client_assurance_level,
        act: hint.act,
        bindingMessage: ctx.oidc.params.binding_message,
        scope: request.scope,
        authorizationDetails: JSON.parse(ctx.oidc.params.authorization_details),
        expiresAt: Math.floor(Date.now() / 1000) + request.expiration,
      });
      log.info('approval requested', { approval_id: approval.id, sub: approval.accountId, agent: approval.hostClientId, scope: approval.scope });
    },
  };
}

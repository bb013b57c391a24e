// Trades under policy. Placing: the API quotes the order, the PDP decides on that authoritative total:
//   deny -> nothing happens; permit -> the API executes now; permit + user_approval -> the API lodges an
//   unconfirmed intent and the auth server asks the user (CIBA) to approve that exact trade.
// Continuing: poll the token endpoint no faster than the interval it set; on approval confirm the intent
// with the transaction_<id> token (which never leaves this server), on deny or expiry cancel it.
import crypto from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiError, type Portfolio, type Trade, type TradeQuote } from './api-client.js';
import { needsApproval, reasonFor } from './pdp-client.js';
import type { PendingApproval } from './pending-approvals.js';
import { describePortfolio } from './tools/get-portfolio.js';
import { toolError, toolResult, type ToolContext } from './tools/registry.js';

const POLL_SLACK_S = 0.25;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function bindingMessage(side: string, quantity: number, symbol: string): string {
  const code = Array.from(crypto.randomBytes(4), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  return `${side.toUpperCase()} ${quantity} ${symbol} ${code}`;
}

const orderView = (q: TradeQuote) => ({
  side: q.side, symbol: q.symbol, name: q.name, quantity: q.quantity, price: q.price, total: q.total, currency: q.currency, total_eur: q.total_eur,
});

function executed(fullTrade: Trade, portfolio: Portfolio): CallToolResult {
  // the signed approval receipt stays with the API and the user's account page, not in the chat
  const { approval_receipt: _receipt, ...trade } = fullTrade as Trade & { approval_receipt?: string };
  const verb = trade.side === 'buy' ? 'Bought' : 'Sold';
  const message = `${verb} ${trade.quantity} ${trade.symbol} at ${trade.price} ${trade.currency} (total ${trade.total} ${trade.currency}).`;
  return toolResult(`${message}\n${describePortfolio(portfolio)}`, { status: 'executed', message, trade, portfolio });
}

async function pendingResult(p: PendingApproval, ctx: ToolContext): Promise<CallToolResult> {
  const qr = await ctx.ciba.qrFrame(p.authReqId);
  const secondsLeft = Math.max(0, p.expiresAt - Math.floor(Date.now() / 1000));
  const message = `Waiting for your approval. Scan the QR code with your phone (or open your account page), check the code "${p.bindingMessage}" and approve.`;
  return toolResult(`${message} The request expires in ${secondsLeft} s.`, {
    status: 'pending_approval',
    message,
    trade_id: p.tradeId,
    order: p.order,
    binding_message: p.bindingMessage,
    expires_at: new Date(p.expiresAt * 1000).toISOString(),
    seconds_left: secondsLeft,
    ...(qr ? { qr } : {}),
  });
}

function finalResult(p: PendingApproval): CallToolResult {
  if (p.status === 'executed') return executed(p.result!.trade, p.result!.portfolio);
  const message = p.result?.message ?? `This trade was ${p.status}.`;
  if (p.status === 'failed') return toolError(message);
  return toolResult(message, { status: p.status, message, trade_id: p.tradeId, order: p.order });
}

export function createTradeFlow() {
  const inFlight = new Map<string, Promise<CallToolResult>>();

  async function place(side: 'buy' | 'sell', symbol: string, quantity: number, toolName: string, ctx: ToolContext): Promise<CallToolResult> {
    const order = { symbol: symbol.toUpperCase(), side, quantity };
    const quote = await ctx.api.quoteTrade(ctx.apiToken!, order);
    const decision = await ctx.pdp(ctx.claims, toolName, { ...order, total: quote.total, currency: quote.currency, total_eur: quote.total_eur });
    if (!decision.decision) {
      return toolError(`Not allowed: ${reasonFor(decision)} Nothing was traded.`, { decision: decision.context });
    }
    if (!needsApproval(decision)) {
      const { trade, portfolio } = await ctx.api.executeTrade(ctx.apiToken!, order);
      return executed(trade, portfolio);
    }

    const { intent } = await ctx.api.createIntent(ctx.apiToken!, order);
    const message = bindingMessage(side, quantity, intent.symbol);
    let started;
    try {
      started = await ctx.ciba.start(ctx.hostToken!, { trade_id: intent.id, ...orderView(intent) }, message);
    } catch (err) {
      await ctx.api.cancelIntent(ctx.apiToken!, intent.id).catch(() => undefined);
      return toolError(`Could not ask you for approval, nothing was traded (${(err as Error).message}).`);
    }
    ctx.approvals.add({
      tradeId: intent.id, authReqId: started.authReqId, sub: ctx.claims!.sub, clientId: ctx.claims!.client_id,
      order: orderView(intent), bindingMessage: message, expiresAt: Math.floor(Date.now() / 1000) + started.expiresIn, interval: started.interval,
    });
    return pendingResult(ctx.approvals.get(intent.id)!, ctx);
  }

  async function step(p: PendingApproval, ctx: ToolContext): Promise<CallToolResult> {
    // a widget polling every second arrives a hair early; don't make it wait a whole extra second
    const polledAt = Date.now() / 1000;
    if (polledAt < p.nextPollAt - POLL_SLACK_S) return pendingResult(p, ctx);
    let outcome = await ctx.ciba.poll(p.authReqId);
    // once expired, the auth server may have swept the request: any refusal then means "expired"
    if (outcome.state === 'failed' && Date.now() / 1000 >= p.expiresAt) outcome = { state: 'expired', description: 'request expired' };
    if (outcome.state === 'pending') {
      ctx.approvals.schedule(p.tradeId, outcome.slowDown ? p.interval + 5 : p.interval, polledAt);
      return pendingResult(p, ctx);
    }
    if (outcome.state === 'approved') {
      try {
        const { trade, portfolio } = await ctx.api.confirmIntent(outcome.token, p.tradeId);
        ctx.approvals.finish(p.tradeId, 'executed', { trade, portfolio });
      } catch (err) {
        const message = err instanceof ApiError ? `The approved trade could not be completed: ${err.description}` : 'The approved trade could not be completed.';
        ctx.approvals.finish(p.tradeId, 'failed', { message });
      }
      return finalResult(ctx.approvals.get(p.tradeId)!);
    }
    // denied, expired or failed: the intent must not linger
    if (ctx.apiToken) await ctx.api.cancelIntent(ctx.apiToken, p.tradeId).catch(() => undefined);
    const message = {
      denied: 'You denied this trade. Nothing was traded.',
      expired: 'The approval request expired before you answered. Nothing was traded.',
      failed: `The approval could not be completed: ${'description' in outcome ? outcome.description : ''}. Nothing was traded.`,
    }[outcome.state];
    ctx.approvals.finish(p.tradeId, outcome.state, { message });
    return finalResult(ctx.approvals.get(p.tradeId)!);
  }

  async function continueApproval(tradeId: string, ctx: ToolContext): Promise<CallToolResult> {
    const p = ctx.approvals.get(tradeId);
    if (!p || p.sub !== ctx.claims?.sub) return toolError('There is no trade waiting for approval with that id.');
    if (p.status !== 'pending') return finalResult(p);
    // concurrent polls for one trade share a single request to the token endpoint
    let running = inFlight.get(tradeId);
    if (!running) {
      running = step(p, ctx).finally(() => inFlight.delete(tradeId));
      inFlight.set(tradeId, running);
    }
    return running;
  }

  return { place, continueApproval };
}

export type TradeFlow = ReturnType<typeof createTradeFlow>;

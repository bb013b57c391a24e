// buy_stock / sell_stock (portfolio:trade) and continue_authorization (widget-only): thin tool
// definitions over trade-flow.ts, which holds the policy and approval logic.
import { z } from 'zod';
import type { TradeFlow } from '../trade-flow.js';
import { portfolioShape } from './get-portfolio.js';
import { defineTool, type ToolDefinition } from './registry.js';
import { widgetToolMeta } from './widget-meta.js';

const TRADE_SCOPES = ['portfolio:read', 'portfolio:trade'];
const API_SCOPES = 'trades:write portfolio:read';

const tradeShape = z.object({
  id: z.string(), symbol: z.string(), name: z.string(), side: z.enum(['buy', 'sell']), quantity: z.number(),
  price: z.number(), total: z.number(), currency: z.string(), total_eur: z.number(), status: z.string(), created_at: z.string(),
}).passthrough();

const orderShape = z.object({
  side: z.enum(['buy', 'sell']), symbol: z.string(), name: z.string(), quantity: z.number(),
  price: z.number(), total: z.number(), currency: z.string(), total_eur: z.number(),
});

/** one shape for every state a trade can be in, so the widget renders any of them */
export const tradeOutcome = z.object({
  status: z.enum(['executed', 'pending_approval', 'denied', 'expired']),
  message: z.string(),
  trade: tradeShape.optional(),
  portfolio: portfolioShape.optional(),
  trade_id: z.string().optional(),
  order: orderShape.optional(),
  binding_message: z.string().optional(),
  expires_at: z.string().optional(),
  seconds_left: z.number().optional(),
  qr: z.object({ url: z.string(), svg: z.string() }).optional(),
});

function tradeTool(side: 'buy' | 'sell', flow: TradeFlow): ToolDefinition {
  return defineTool({
    name: `${side}_stock`,
    title: side === 'buy' ? 'Buy stock' : 'Sell stock',
    description: `${side === 'buy' ? 'Buy' : 'Sell'} whole shares of a stock for the signed-in user at the current quote. ` +
      'Small trades execute at once; larger ones wait for the user to approve them on their phone; very large ones are refused.',
    input: z.object({
      symbol: z.string().min(1).max(12).describe('Ticker symbol, for example ACME'),
      quantity: z.number().int().positive().max(1_000_000).describe('Number of whole shares'),
    }),
    output: tradeOutcome,
    readOnly: false,
    scopes: TRADE_SCOPES,
    apiScopes: API_SCOPES,
    decidesWithPdp: true,
    meta: side === 'buy' ? widgetToolMeta('Placing your buy order…', 'Buy order placed') : widgetToolMeta('Placing your sell order…', 'Sell order placed'),
    run: ({ symbol, quantity }, ctx) => flow.place(side, symbol, quantity, `${side}_stock`, ctx),
  });
}

export function tradeTools(flow: TradeFlow): ToolDefinition[] {
  const continueAuthorization = defineTool({
    name: 'continue_authorization',
    title: 'Check trade approval',
    description: 'Used by the portfolio widget: checks whether the user has approved a pending trade, and completes it once approved.',
    input: z.object({ trade_id: z.string().min(1).max(64) }),
    output: tradeOutcome,
    readOnly: false,
    scopes: TRADE_SCOPES,
    apiScopes: API_SCOPES,
    meta: { ...widgetToolMeta('Checking the approval…', 'Approval checked'), 'openai/visibility': 'private' },
    run: ({ trade_id }, ctx) => flow.continueApproval(trade_id, ctx),
  });
  return [tradeTool('buy', flow), tradeTool('sell', flow), continueAuthorization];
}

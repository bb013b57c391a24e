// buy_stock / sell_stock — portfolio:trade. The API quotes the trade (price and total are never taken
// from the caller); trades under the no-approval threshold execute at once. Larger trades need the
// user's approval, which arrives with the trade-approval flow: until then they are refused clearly.
import { z } from 'zod';
import { describePortfolio, portfolioShape } from './get-portfolio.js';
import { defineTool, toolError, toolResult, type ToolDefinition } from './registry.js';

export const NO_APPROVAL_LIMIT_EUR = Number(process.env.TRADE_NO_APPROVAL_LIMIT_EUR ?? 200);

const tradeInput = z.object({
  symbol: z.string().min(1).max(12).describe('Ticker symbol, for example ACME'),
  quantity: z.number().int().positive().max(1_000_000).describe('Number of whole shares'),
});

const tradeOutput = z.object({
  status: z.enum(['executed']),
  trade: z.object({
    id: z.string(), symbol: z.string(), name: z.string(), side: z.enum(['buy', 'sell']), quantity: z.number(),
    price: z.number(), total: z.number(), currency: z.string(), total_eur: z.number(), status: z.string(), created_at: z.string(),
  }),
  portfolio: portfolioShape,
});

function tradeTool(side: 'buy' | 'sell'): ToolDefinition {
  return defineTool({
    name: `${side}_stock`,
    title: side === 'buy' ? 'Buy stock' : 'Sell stock',
    description: `${side === 'buy' ? 'Buy' : 'Sell'} whole shares of a stock for the signed-in user at the current quote.`,
    input: tradeInput,
    output: tradeOutput,
    readOnly: false,
    scopes: ['portfolio:read', 'portfolio:trade'],
    apiScopes: 'trades:write portfolio:read',
    async run({ symbol, quantity }, { api, apiToken }) {
      const order = { symbol: symbol.toUpperCase(), side, quantity };
      const quote = await api.quoteTrade(apiToken!, order);
      if (quote.total_eur >= NO_APPROVAL_LIMIT_EUR) {
        return toolError(
          `This ${side} of ${quantity} ${quote.symbol} totals ${quote.total} ${quote.currency} (${quote.total_eur} EUR). ` +
          `Trades of ${NO_APPROVAL_LIMIT_EUR} EUR or more need your approval, which is not supported yet: nothing was traded.`,
        );
      }
      const { trade, portfolio } = await api.executeTrade(apiToken!, order);
      const verb = side === 'buy' ? 'Bought' : 'Sold';
      return toolResult(
        `${verb} ${trade.quantity} ${trade.symbol} at ${trade.price} ${trade.currency} (total ${trade.total} ${trade.currency}).\n${describePortfolio(portfolio)}`,
        { status: 'executed', trade, portfolio },
      );
    },
  });
}

export const buyStock = tradeTool('buy');
export const sellStock = tradeTool('sell');

// What the tools return, as the widget sees it: inferred from the server's own zod schemas, so a
// change there fails the widget's type check instead of breaking it silently (type-only imports).
import type { z } from 'zod';
import type { portfolioShape } from '../tools/get-portfolio.js';
import type { quoteShape } from '../tools/search-stocks.js';
import type { tradeOutcome } from '../tools/trade.js';

export type Portfolio = z.infer<typeof portfolioShape>;
export type Holding = Portfolio['holdings'][number];
export type Quote = z.infer<typeof quoteShape>;
export type TradeOutcome = z.infer<typeof tradeOutcome>;
export type Side = 'buy' | 'sell';

export function isPortfolio(value: unknown): value is Portfolio {
  return !!value && typeof value === 'object' && Array.isArray((value as Portfolio).holdings) && typeof (value as Portfolio).cash === 'object';
}

export function isTradeOutcome(value: unknown): value is TradeOutcome {
  const status = (value as TradeOutcome | null)?.status;
  return status === 'executed' || status === 'pending_approval' || status === 'denied' || status === 'expired';
}

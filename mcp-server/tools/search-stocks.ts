// search_stocks — public quotes, no token needed.
import { z } from 'zod';
import { defineTool, toolResult } from './registry.js';

/** one quote (the portfolio widget renders these too) */
export const quoteShape = z.object({
  symbol: z.string(), name: z.string(), sector: z.string(), region: z.string(), currency: z.string(), price: z.number(),
});

export const searchStocks = defineTool({
  name: 'search_stocks',
  title: 'Search stocks',
  description: 'Search listed stocks by symbol, company name or sector (for example "tech" or "ACME") and get their current quotes. No sign-in needed.',
  input: z.object({
    query: z.string().max(100).describe('Symbol, name or sector to look for; empty lists everything').default(''),
    limit: z.number().int().min(1).max(50).default(10).describe('At most this many results'),
  }),
  output: z.object({ quotes: z.array(quoteShape) }),
  readOnly: true,
  scopes: [],
  // no template of its own: the portfolio widget calls it to quote stocks the user does not hold
  meta: { 'openai/widgetAccessible': true },
  async run({ query, limit }, { api }) {
    const { quotes } = await api.searchQuotes(query, limit);
    const lines = quotes.map((q) => `${q.symbol} ${q.name} (${q.sector}, ${q.region}): ${q.price} ${q.currency}`);
    return toolResult(quotes.length ? lines.join('\n') : `No stocks match "${query}".`, { quotes });
  },
});

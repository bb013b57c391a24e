// get_portfolio — the signed-in user's holdings and cash (portfolio:read).
import { z } from 'zod';
import type { Portfolio } from '../api-client.js';
import { defineTool, toolResult } from './registry.js';
import { widgetToolMeta } from './widget-meta.js';

export const portfolioShape = z.object({
  owner: z.string(),
  region: z.string(),
  cash: z.object({ amount: z.number(), currency: z.string() }),
  holdings: z.array(z.object({
    symbol: z.string(), name: z.string(), quantity: z.number(), price: z.number(), value: z.number(), currency: z.string(),
  })),
  total_value: z.number(),
  currency: z.string(),
});

export function describePortfolio(p: Portfolio): string {
  const rows = p.holdings.map((h) => `${h.quantity} × ${h.symbol} (${h.name}) at ${h.price} = ${h.value} ${h.currency}`);
  return [`Portfolio of ${p.owner} (${p.region})`, ...rows, `Cash: ${p.cash.amount} ${p.cash.currency}`, `Total: ${p.total_value} ${p.currency}`].join('\n');
}

export const getPortfolio = defineTool({
  name: 'get_portfolio',
  title: 'Show portfolio',
  description: "Show the signed-in user's holdings and cash balance.",
  input: z.object({}),
  output: portfolioShape,
  readOnly: true,
  scopes: ['portfolio:read'],
  apiScopes: 'portfolio:read',
  meta: widgetToolMeta('Loading your portfolio…', 'Portfolio loaded'),
  async run(_args, { api, apiToken }) {
    const portfolio = await api.portfolio(apiToken!);
    return toolResult(describePortfolio(portfolio), { ...portfolio });
  },
});

import { createTradeFlow } from '../trade-flow.js';
import { getPortfolio } from './get-portfolio.js';
import type { ToolDefinition } from './registry.js';
import { searchStocks } from './search-stocks.js';
import { tradeTools } from './trade.js';

export const tools: ToolDefinition[] = [searchStocks, getPortfolio, ...tradeTools(createTradeFlow())];
export const toolsByName = new Map(tools.map((t) => [t.name, t]));

import type { ToolDefinition } from './registry.js';
import { getPortfolio } from './get-portfolio.js';
import { searchStocks } from './search-stocks.js';
import { buyStock, sellStock } from './trade.js';

export const tools: ToolDefinition[] = [searchStocks, getPortfolio, buyStock, sellStock];
export const toolsByName = new Map(tools.map((t) => [t.name, t]));

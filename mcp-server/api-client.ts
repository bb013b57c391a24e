// The portfolio API as the MCP server's tools see it: typed calls, errors turned into ApiError.
import type { StackConfig } from '../common/config.js';
import type { JsonClient } from '../common/http-client.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(description);
  }
}

export interface Quote { symbol: string; name: string; sector: string; region: string; currency: string; price: number }
export interface Holding { symbol: string; name: string; quantity: number; price: number; value: number; currency: string }
export interface Portfolio {
  owner: string;
  region: string;
  cash: { amount: number; currency: string };
  holdings: Holding[];
  total_value: number;
  currency: string;
}
export interface TradeQuote { symbol: string; name: string; side: 'buy' | 'sell'; quantity: number; price: number; total: number; currency: string; total_eur: number }
export interface Trade extends TradeQuote { id: string; status: string; created_at: string }

export interface TradeIntent extends TradeQuote { id: string; status: string; expires_at: string; owner: string }

export function createApiClient(config: StackConfig, requestJson: JsonClient) {
  const base = config.api.internalUrl;
  async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await requestJson<any>(`${base}${path}`, { method, headers, body });
    if (res.status >= 400) {
      throw new ApiError(res.status, res.body?.error ?? 'api_error', res.body?.error_description ?? `portfolio API answered ${res.status}`);
    }
    return res.body as T;
  }
  return {
    searchQuotes: (query: string, limit: number) =>
      call<{ quotes: Quote[] }>('GET', `/quotes?query=${encodeURIComponent(query)}&limit=${limit}`),
    portfolio: (token: string) => call<Portfolio>('GET', '/portfolio', token),
    quoteTrade: (token: string, order: { symbol: string; side: string; quantity: number }) =>
      call<TradeQuote>('POST', '/trades/quote', token, order),
    executeTrade: (token: string, order: { symbol: string; side: string; quantity: number }) =>
      call<{ trade: Trade; portfolio: Portfolio }>('POST', '/trades', token, order),
    createIntent: (token: string, order: { symbol: string; side: string; quantity: number }) =>
      call<{ intent: TradeIntent }>('POST', '/trade-intents', token, order),
    /** needs the transaction_<id> token from the user's approval */
    confirmIntent: (transactionToken: string, id: string) =>
      call<{ trade: Trade; portfolio: Portfolio; intent: TradeIntent }>('POST', `/trade-intents/${encodeURIComponent(id)}/confirm`, transactionToken),
    cancelIntent: (token: string, id: string) =>
      call<{ intent: TradeIntent }>('POST', `/trade-intents/${encodeURIComponent(id)}/cancel`, token),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

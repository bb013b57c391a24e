// Input checks for trade orders and cash amounts; each failure is a 400 invalid_request that says
// exactly what is wrong. Order: symbol is a ticker string, side is "buy" or "sell", quantity is a JSON
// number that is a whole number of shares from 1 to 1,000,000. Any other field (a price or total the
// caller would like) is ignored: prices come from the stored quote only.
import { invalidRequest } from './errors.js';

export const MAX_QUANTITY = 1_000_000;
export const MAX_WITHDRAWAL = 1_000_000;

export type Side = 'buy' | 'sell';

export interface Order {
  symbol: string;
  side: Side;
  quantity: number;
}

const SYMBOL = /^[A-Za-z0-9.-]{1,12}$/;

export function parseOrder(body: Record<string, unknown>): Order {
  const { symbol, side, quantity } = body;
  if (symbol === undefined) throw invalidRequest('symbol is required');
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) throw invalidRequest('symbol must be a ticker symbol such as "ACME"');
  if (side !== 'buy' && side !== 'sell') throw invalidRequest('side must be "buy" or "sell"');
  return { symbol: symbol.toUpperCase(), side, quantity: parseQuantity(quantity) };
}

function parseQuantity(quantity: unknown): number {
  if (quantity === undefined) throw invalidRequest('quantity is required');
  if (typeof quantity !== 'number' || !Number.isFinite(quantity)) throw invalidRequest('quantity must be a number');
  if (quantity <= 0) throw invalidRequest('quantity must be positive');
  if (!Number.isInteger(quantity)) throw invalidRequest('quantity must be a whole number of shares');
  if (quantity > MAX_QUANTITY) throw invalidRequest(`quantity may not exceed ${MAX_QUANTITY.toLocaleString('en')}`);
  return quantity;
}

/** a cash amount: a positive JSON number, at most MAX_WITHDRAWAL */
export function parseAmount(amount: unknown): number {
  if (amount === undefined) throw invalidRequest('amount is required');
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw invalidRequest('amount must be a number');
  if (amount <= 0) throw invalidRequest('amount must be positive');
  if (amount > MAX_WITHDRAWAL) throw invalidRequest(`amount may not exceed ${MAX_WITHDRAWAL.toLocaleString('en')}`);
  return amount;
}

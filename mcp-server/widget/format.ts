// Numbers as people read them, in the host's locale.

const formats = new Map<string, Intl.NumberFormat>();

export function locale(): string {
  return window.openai?.locale || navigator.language || 'en-US';
}

export function money(amount: number, currency: string): string {
  const key = `${locale()}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale(), { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    } catch {
      format = new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formats.set(key, format);
  }
  return format.format(amount);
}

/** totals are computed in minor units, as the API does, so 3 × 84.10 shows 252.30 */
export function orderTotal(price: number, quantity: number): number {
  return Math.round(price * 100 * quantity) / 100;
}

export interface OrderSummary { side: 'buy' | 'sell'; quantity: number; symbol: string; total: number; currency: string }

/** "Buy 3 ACME for $252.00" */
export function describeOrder(o: OrderSummary): string {
  return `${o.side === 'buy' ? 'Buy' : 'Sell'} ${o.quantity} ${o.symbol} for ${money(o.total, o.currency)}`;
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

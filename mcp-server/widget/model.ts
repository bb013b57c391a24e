// The widget's UI state. Only the small, secret-free part (which view, which trade, the order being
// typed) goes to the host as widgetState, so a re-mounted widget resumes where the user was.
import type { Quote, Side, TradeOutcome } from './contract.js';

/** what an order needs to show a quote: a holding or a search_stocks result */
export type Priced = Pick<Quote, 'symbol' | 'name' | 'price' | 'currency'>;

export interface OrderDraft {
  side: Side;
  symbol: string;
  quantity: number;
  /** the price shown before submitting; absent until a stock is chosen */
  quote?: Priced;
  /** search_stocks results to choose from when the symbol typed is not exact */
  matches?: Quote[];
  lookup?: 'loading' | 'none' | 'failed';
  lookupMessage?: string;
}

export type View =
  | { name: 'loading'; label: string }
  | { name: 'empty' }
  | { name: 'portfolio'; notice?: Notice }
  | { name: 'order'; order: OrderDraft; submitting?: boolean }
  | { name: 'pending'; tradeId: string; outcome?: TradeOutcome; deadline?: number; total?: number; stalled?: boolean }
  | { name: 'error'; title: string; message: string; detail?: string };

export interface Notice {
  message: string;
  /** the holding the trade changed, highlighted in the table */
  symbol?: string;
}

export interface SavedState {
  view: View['name'];
  /** the trade being waited for (view "pending") */
  trade_id?: string;
  /** the last trade placed or watched, finished or not */
  last_trade_id?: string;
  order?: { side: Side; symbol: string; quantity: number };
  notice?: Notice;
  error?: { title: string; message: string; detail?: string };
}

export function isSaved(value: unknown): value is SavedState {
  return !!value && typeof value === 'object' && typeof (value as SavedState).view === 'string';
}

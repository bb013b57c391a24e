// The JSON shapes clients see, built from stored rows: minor units become decimals, EUR values are
// rounded to the cent, and a portfolio lists only holdings of the caller's region.
import { convertMinor, REGION_CURRENCY, toDecimal } from './money.js';
import type { InstrumentRow, PortfolioStore, TradeRow } from './store.js';

export function quoteView(i: InstrumentRow) {
  return { symbol: i.symbol, name: i.name, sector: i.sector, region: i.region, currency: i.currency, price: toDecimal(i.price_minor, i.currency) };
}

export function portfolioView(store: PortfolioStore, owner: string, region: string) {
  const account = store.account(owner);
  const currency = account?.currency ?? REGION_CURRENCY[region] ?? 'EUR';
  const cash = account?.cash_minor ?? 0;
  let total = cash;
  const holdings = store.holdings(owner, region).map((h) => {
    const value = h.price_minor * h.quantity;
    total += convertMinor(value, h.currency, currency);
    return {
      symbol: h.symbol,
      name: h.name,
      quantity: h.quantity,
      price: toDecimal(h.price_minor, h.currency),
      value: toDecimal(value, h.currency),
      currency: h.currency,
    };
  });
  return {
    owner,
    region,
    cash: { amount: toDecimal(cash, currency), currency },
    holdings,
    total_value: toDecimal(total, currency),
    currency,
  };
}

export function tradeView(t: TradeRow) {
  return {
    id: t.id,
    symbol: t.symbol,
    name: t.name,
    side: t.side,
    quantity: t.quantity,
    price: toDecimal(t.price_minor, t.currency),
    total: toDecimal(t.total_minor, t.currency),
    currency: t.currency,
    total_eur: t.total_eur_cents / 100,
    status: t.status,
    created_at: t.created_at,
    client_id: t.client_id,
    client_type: t.client_type,
    act: t.act ? JSON.parse(t.act) : null,
    ...(t.intent_id ? { intent_id: t.intent_id } : {}),
    ...(t.approval_receipt ? { approval_receipt: t.approval_receipt } : {}),
  };
}

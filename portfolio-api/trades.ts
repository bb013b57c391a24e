// Pricing and executing trades. Checks:
//  - the symbol exists in the caller's region (else 400 unknown symbol: other regions look nonexistent)
//  - price and total come from the stored quote (or, for an approved intent, the price the user approved)
//  - a buy needs enough cash (converted to the account's currency), a sell enough shares (else 400)
// Execution updates cash, holdings and the trade record in one SQLite transaction, and records who
// traded: the user (sub), the client, the agent's client_type and the full `act` delegation chain.
import type { Caller } from './authz.js';
import { actChainJson, regionOf } from './authz.js';
import { invalidRequest } from './errors.js';
import { randomId } from './ids.js';
import { convertMinor, toDecimal } from './money.js';
import type { PortfolioStore, TradeRow } from './store.js';
import type { Order, Side } from './validate.js';

export interface PricedOrder {
  symbol: string;
  name: string;
  side: Side;
  quantity: number;
  price_minor: number;
  total_minor: number;
  currency: string;
  total_eur_cents: number;
}

export function priceOrder(store: PortfolioStore, caller: Caller, order: Order): PricedOrder {
  const instrument = store.instrument(order.symbol, regionOf(caller));
  if (!instrument) throw invalidRequest(`unknown symbol ${order.symbol}`);
  const total = instrument.price_minor * order.quantity;
  return {
    symbol: instrument.symbol,
    name: instrument.name,
    side: order.side,
    quantity: order.quantity,
    price_minor: instrument.price_minor,
    total_minor: total,
    currency: instrument.currency,
    total_eur_cents: convertMinor(total, instrument.currency, 'EUR'),
  };
}

/** the quote shape of POST /trades/quote (and the priced part of an intent) */
export function pricedView(p: PricedOrder) {
  return {
    symbol: p.symbol,
    name: p.name,
    side: p.side,
    quantity: p.quantity,
    price: toDecimal(p.price_minor, p.currency),
    total: toDecimal(p.total_minor, p.currency),
    currency: p.currency,
    total_eur: p.total_eur_cents / 100,
  };
}

/** throws 400 when the owner cannot afford the buy or does not hold the shares to sell */
export function checkFunds(store: PortfolioStore, owner: string, p: PricedOrder): void {
  if (p.side === 'buy') {
    const account = store.account(owner);
    const cost = account ? convertMinor(p.total_minor, p.currency, account.currency) : p.total_minor;
    const cash = account?.cash_minor ?? 0;
    if (cash < cost) {
      const currency = account?.currency ?? p.currency;
      throw invalidRequest(`insufficient cash: the trade costs ${toDecimal(cost, currency)} ${currency}, available ${toDecimal(cash, currency)} ${currency}`);
    }
  } else {
    const held = store.quantityHeld(owner, p.symbol);
    if (held < p.quantity) throw invalidRequest(`insufficient holdings: selling ${p.quantity} ${p.symbol}, holding ${held}`);
  }
}

export function createTradeExecutor(store: PortfolioStore) {
  const { db } = store;
  const debit = db.prepare('UPDATE accounts SET cash_minor = cash_minor - ? WHERE owner = ?');
  const credit = db.prepare('UPDATE accounts SET cash_minor = cash_minor + ? WHERE owner = ?');
  const addShares = db.prepare(
    `INSERT INTO holdings (owner, symbol, quantity) VALUES (?, ?, ?)
     ON CONFLICT (owner, symbol) DO UPDATE SET quantity = quantity + excluded.quantity`,
  );
  const removeShares = db.prepare('UPDATE holdings SET quantity = quantity - ? WHERE owner = ? AND symbol = ? AND quantity > ?');
  const dropAll = db.prepare('DELETE FROM holdings WHERE owner = ? AND symbol = ? AND quantity = ?');
  const insertTrade = db.prepare(
    `INSERT INTO trades (id, owner, symbol, side, quantity, price_minor, total_minor, currency, total_eur_cents,
                         status, client_id, client_type, act, intent_id, approval_receipt, created_at)
     VALUES (@id, @owner, @symbol, @side, @quantity, @price_minor, @total_minor, @currency, @total_eur_cents,
             'executed', @client_id, @client_type, @act, @intent_id, @approval_receipt, @created_at)`,
  );

  /** executes a priced order for the caller; joins the surrounding transaction when there is one */
  const execute = db.transaction((caller: Caller, p: PricedOrder, intentId: string | null): TradeRow => {
    const owner = caller.sub;
    checkFunds(store, owner, p);
    const account = store.account(owner);
    if (!account) throw invalidRequest('no cash account for this user');
    const cash = convertMinor(p.total_minor, p.currency, account.currency);
    if (p.side === 'buy') {
      debit.run(cash, owner);
      addShares.run(owner, p.symbol, p.quantity);
    } else {
      // selling everything removes the row (holdings are positive by constraint)
      if (removeShares.run(p.quantity, owner, p.symbol, p.quantity).changes === 0
        && dropAll.run(owner, p.symbol, p.quantity).changes === 0) {
        throw invalidRequest(`insufficient holdings: selling ${p.quantity} ${p.symbol}`);
      }
      credit.run(cash, owner);
    }
    const id = `tr-${randomId(12)}`;
    insertTrade.run({
      id,
      owner,
      symbol: p.symbol,
      side: p.side,
      quantity: p.quantity,
      price_minor: p.price_minor,
      total_minor: p.total_minor,
      currency: p.currency,
      total_eur_cents: p.total_eur_cents,
      client_id: caller.client_id,
      client_type: typeof caller.client_type === 'string' ? caller.client_type : null,
      act: actChainJson(caller),
      intent_id: intentId,
      // the user's signed approval (a JWS from the auth server), carried in the CIBA transaction token
      approval_receipt: intentId && typeof caller.approval_receipt === 'string' ? caller.approval_receipt : null,
      created_at: new Date().toISOString(),
    });
    return store.trade(id)!;
  });

  return (caller: Caller, p: PricedOrder, intentId: string | null = null) => execute.immediate(caller, p, intentId);
}

export type TradeExecutor = ReturnType<typeof createTradeExecutor>;

// Trade intents: a priced trade the user still has to approve (DESIGN.md journey 4). Checks:
//  - create: the order is valid, in the caller's region and affordable; the intent keeps that price,
//    expires after INTENT_TTL_SECONDS and belongs to the token's sub
//  - read / cancel / confirm: only the owner sees an intent (anyone else gets 404, as if it did not exist)
//  - confirm: the token's scope contains exactly `transaction_<id>` (else 403 insufficient_scope);
//    the intent is pending (confirmed -> 409 already_confirmed, cancelled -> 409 cancelled) and
//    unexpired (410 expired). The status flips with one guarded
//    `UPDATE … WHERE status = 'pending' AND expires_at > now` inside the same immediate transaction
//    that moves cash and shares, so any number of concurrent confirms execute exactly one trade, and
//    a confirm that fails (say, cash spent meanwhile) leaves the intent pending and nothing changed.
import { regionOf, actChainJson, requireTransactionScope, type Caller } from './authz.js';
import { ApiError, invalidRequest, notFound } from './errors.js';
import { randomId } from './ids.js';
import type { PortfolioStore } from './store.js';
import { checkFunds, priceOrder, pricedView, type PricedOrder, type TradeExecutor } from './trades.js';
import type { Order } from './validate.js';

export const INTENT_TTL_SECONDS = 120;

interface IntentRow extends PricedOrder {
  id: string;
  owner: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  client_id: string;
  trade_id: string | null;
  created_at: string;
  expires_at: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const isExpired = (row: IntentRow) => row.status === 'pending' && row.expires_at <= nowSeconds();

export function intentView(row: IntentRow) {
  return {
    id: row.id,
    owner: row.owner,
    ...pricedView(row),
    status: isExpired(row) ? 'expired' : row.status,
    created_at: row.created_at,
    expires_at: new Date(row.expires_at * 1000).toISOString(),
    ...(row.trade_id ? { trade_id: row.trade_id } : {}),
  };
}

export function createIntents(store: PortfolioStore, executeTrade: TradeExecutor) {
  const { db } = store;
  const insert = db.prepare(
    `INSERT INTO trade_intents (id, owner, symbol, side, quantity, price_minor, total_minor, currency, total_eur_cents,
                                status, client_id, client_type, act, created_at, expires_at)
     VALUES (@id, @owner, @symbol, @side, @quantity, @price_minor, @total_minor, @currency, @total_eur_cents,
             'pending', @client_id, @client_type, @act, @created_at, @expires_at)`,
  );
  const select = db.prepare(
    'SELECT t.*, i.name FROM trade_intents t JOIN instruments i ON i.symbol = t.symbol WHERE t.id = ?',
  );
  const claim = db.prepare(
    `UPDATE trade_intents SET status = 'confirmed' WHERE id = ? AND owner = ? AND status = 'pending' AND expires_at > ?`,
  );
  const linkTrade = db.prepare('UPDATE trade_intents SET trade_id = ? WHERE id = ?');
  const cancel = db.prepare(
    `UPDATE trade_intents SET status = 'cancelled' WHERE id = ? AND owner = ? AND status = 'pending' AND expires_at > ?`,
  );

  /** the intent when the caller owns it; 404 otherwise */
  function owned(caller: Caller, id: string): IntentRow {
    const row = select.get(id) as IntentRow | undefined;
    if (!row || row.owner !== caller.sub) throw notFound(`no trade intent ${id}`);
    return row;
  }

  /** why a pending-only operation could not claim the intent */
  function notPending(row: IntentRow): ApiError {
    if (row.status === 'confirmed') return new ApiError(409, 'already_confirmed', `trade intent ${row.id} has already been confirmed`);
    if (row.status === 'cancelled') return new ApiError(409, 'cancelled', `trade intent ${row.id} has been cancelled`);
    return new ApiError(410, 'expired', `trade intent ${row.id} has expired`);
  }

  const confirmTx = db.transaction((caller: Caller, row: IntentRow) => {
    if (claim.run(row.id, caller.sub, nowSeconds()).changes !== 1) throw notPending(select.get(row.id) as IntentRow);
    const trade = executeTrade(caller, row, row.id);
    linkTrade.run(trade.id, row.id);
    return trade;
  });

  return {
    create(caller: Caller, order: Order) {
      const priced = priceOrder(store, caller, order);
      checkFunds(store, caller.sub, priced);
      const id = randomId(10);
      insert.run({
        ...priced,
        id,
        owner: caller.sub,
        client_id: caller.client_id,
        client_type: typeof caller.client_type === 'string' ? caller.client_type : null,
        act: actChainJson(caller),
        created_at: new Date().toISOString(),
        expires_at: nowSeconds() + INTENT_TTL_SECONDS,
      });
      return owned(caller, id);
    },

    get: owned,

    confirm(caller: Caller, id: string) {
      const row = owned(caller, id);
      requireTransactionScope(caller, id);
      if (!store.instrument(row.symbol, regionOf(caller))) throw invalidRequest(`unknown symbol ${row.symbol}`);
      const trade = confirmTx.immediate(caller, row);
      return { trade, intent: owned(caller, id) };
    },

    cancel(caller: Caller, id: string) {
      const row = owned(caller, id);
      if (row.status === 'cancelled') return row;
      if (cancel.run(id, caller.sub, nowSeconds()).changes !== 1) throw notPending(owned(caller, id));
      return owned(caller, id);
    },
  };
}

export type Intents = ReturnType<typeof createIntents>;

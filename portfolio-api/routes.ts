// The endpoint table: for each route, the scopes it needs (null = public), whether the agent rule
// applies, and the handler. The server authenticates and checks scopes before a handler runs and before
// any request body is read; handlers validate their input and return {status, body}.
import type { IncomingMessage } from 'node:http';
import { regionOf, type Caller } from './authz.js';
import type { AccountActions } from './account.js';
import { invalidRequest, notFound } from './errors.js';
import { intentView, type Intents } from './intents.js';
import { Router } from './router.js';
import type { PortfolioStore } from './store.js';
import { checkFunds, priceOrder, pricedView, type TradeExecutor } from './trades.js';
import { parseOrder } from './validate.js';
import { portfolioView, quoteView, tradeView } from './views.js';

export interface RequestContext {
  req: IncomingMessage;
  query: URLSearchParams;
  params: Record<string, string>;
  /** set for every route that is not public */
  caller: Caller;
  body(): Promise<Record<string, unknown>>;
}

export interface Reply {
  status?: number;
  body: unknown;
}

export interface RouteSpec {
  /** scopes the token must hold; null for a public route; [] for "any valid token" */
  scopes: string[] | null;
  /** completes "agents may not …" when the agent rule applies */
  agentsMayNot?: string;
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

export interface Services {
  store: PortfolioStore;
  executeTrade: TradeExecutor;
  intents: Intents;
  account: AccountActions;
}

const READ = ['portfolio:read'];
const WRITE = ['trades:write'];

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw invalidRequest(`${name} must be a positive whole number`);
  return Math.min(Number(raw), max);
}

export function buildRoutes({ store, executeTrade, intents, account }: Services): Router<RouteSpec> {
  const portfolio = (caller: Caller) => portfolioView(store, caller.sub, regionOf(caller));

  return new Router<RouteSpec>()
    .add('GET', '/health', { scopes: null, handle: () => ({ body: { ok: true } }) })

    .add('GET', '/quotes', {
      scopes: null,
      handle: ({ query }) => {
        const text = query.get('query') ?? '';
        if (text.length > 100) throw invalidRequest('query may be at most 100 characters');
        const limit = intParam(query, 'limit', 20, 100);
        return { body: { quotes: store.searchQuotes(text.trim(), limit).map(quoteView) } };
      },
    })

    .add('GET', '/portfolio', { scopes: READ, handle: ({ caller }) => ({ body: portfolio(caller) }) })

    .add('GET', '/instruments/:symbol', {
      scopes: READ,
      handle: ({ caller, params }) => {
        const instrument = store.instrument(params.symbol.toUpperCase(), regionOf(caller));
        if (!instrument) throw notFound(`no instrument ${params.symbol}`);
        return { body: quoteView(instrument) };
      },
    })

    .add('POST', '/trades/quote', {
      scopes: READ,
      handle: async ({ caller, body }) => {
        const priced = priceOrder(store, caller, parseOrder(await body()));
        checkFunds(store, caller.sub, priced);
        return { body: pricedView(priced) };
      },
    })

    .add('POST', '/trades', {
      scopes: WRITE,
      handle: async ({ caller, body }) => {
        const priced = priceOrder(store, caller, parseOrder(await body()));
        const trade = executeTrade(caller, priced);
        return { status: 201, body: { trade: tradeView(trade), portfolio: portfolio(caller) } };
      },
    })

    .add('GET', '/trades', {
      scopes: READ,
      handle: ({ caller, query }) => ({
        body: { trades: store.trades(caller.sub, regionOf(caller), intParam(query, 'limit', 100, 500)).map(tradeView) },
      }),
    })

    .add('POST', '/trade-intents', {
      scopes: WRITE,
      handle: async ({ caller, body }) => ({ status: 201, body: { intent: intentView(intents.create(caller, parseOrder(await body()))) } }),
    })

    .add('GET', '/trade-intents/:id', {
      scopes: READ,
      handle: ({ caller, params }) => ({ body: { intent: intentView(intents.get(caller, params.id)) } }),
    })

    .add('POST', '/trade-intents/:id/confirm', {
      // the only scope that counts is transaction_<id>, checked against the intent in intents.confirm
      scopes: [],
      handle: ({ caller, params }) => {
        const { trade, intent } = intents.confirm(caller, params.id);
        return { body: { trade: tradeView(trade), portfolio: portfolio(caller), intent: intentView(intent) } };
      },
    })

    .add('POST', '/trade-intents/:id/cancel', {
      scopes: WRITE,
      handle: ({ caller, params }) => ({ body: { intent: intentView(intents.cancel(caller, params.id)) } }),
    })

    .add('POST', '/cash/withdrawals', {
      scopes: WRITE,
      agentsMayNot: 'withdraw cash',
      handle: async ({ caller, body }) => {
        const withdrawal = account.withdraw(caller, await body());
        return { status: 201, body: { withdrawal, portfolio: portfolio(caller) } };
      },
    })

    .add('GET', '/settings', { scopes: READ, handle: ({ caller }) => ({ body: { settings: account.settings(caller) } }) })

    .add('PUT', '/settings', {
      scopes: WRITE,
      agentsMayNot: 'change account settings',
      handle: async ({ caller, body }) => ({ body: { settings: account.saveSettings(caller, await body()) } }),
    });
}

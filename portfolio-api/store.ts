// The API's SQLite file (`api.db` in the data folder): opens it with the schema, seeds the demo data,
// and answers the read queries. Checks: every instrument lookup for a caller is limited to the
// caller's region, so an instrument outside it is indistinguishable from one that does not exist.
import { openDatabase, type Db } from '../common/db.js';
import { SCHEMA } from './schema.js';
import { seed } from './seed.js';

export interface InstrumentRow {
  symbol: string;
  name: string;
  sector: string;
  region: string;
  currency: string;
  price_minor: number;
}

export interface AccountRow {
  owner: string;
  currency: string;
  cash_minor: number;
  settings: string;
}

export interface HoldingRow extends InstrumentRow {
  quantity: number;
}

export interface TradeRow {
  id: string;
  owner: string;
  symbol: string;
  name: string;
  side: 'buy' | 'sell';
  quantity: number;
  price_minor: number;
  total_minor: number;
  currency: string;
  total_eur_cents: number;
  status: string;
  client_id: string;
  client_type: string | null;
  act: string | null;
  intent_id: string | null;
  approval_receipt: string | null;
  created_at: string;
}

export function openPortfolioStore(dataDir: string) {
  const db = openDatabase(dataDir, 'api', SCHEMA);
  seed(db);

  const search = db.prepare(
    `SELECT * FROM instruments
      WHERE instr(lower(symbol), lower(@q)) > 0 OR instr(lower(name), lower(@q)) > 0 OR instr(lower(sector), lower(@q)) > 0
      ORDER BY symbol LIMIT @limit`,
  );
  const instrumentInRegion = db.prepare('SELECT * FROM instruments WHERE symbol = ? AND region = ?');
  const account = db.prepare('SELECT * FROM accounts WHERE owner = ?');
  const holdingsInRegion = db.prepare(
    `SELECT i.*, h.quantity FROM holdings h JOIN instruments i ON i.symbol = h.symbol
      WHERE h.owner = ? AND i.region = ? ORDER BY i.symbol`,
  );
  const holding = db.prepare('SELECT quantity FROM holdings WHERE owner = ? AND symbol = ?');
  const tradesInRegion = db.prepare(
    `SELECT t.*, i.name FROM trades t JOIN instruments i ON i.symbol = t.symbol
      WHERE t.owner = ? AND i.region = ? ORDER BY t.seq DESC LIMIT ?`,
  );
  const tradeById = db.prepare('SELECT t.*, i.name FROM trades t JOIN instruments i ON i.symbol = t.symbol WHERE t.id = ?');

  return {
    db,
    searchQuotes: (query: string, limit: number) => search.all({ q: query, limit }) as InstrumentRow[],
    instrument: (symbol: string, region: string) => instrumentInRegion.get(symbol, region) as InstrumentRow | undefined,
    account: (owner: string) => account.get(owner) as AccountRow | undefined,
    holdings: (owner: string, region: string) => holdingsInRegion.all(owner, region) as HoldingRow[],
    quantityHeld: (owner: string, symbol: string) => (holding.get(owner, symbol) as { quantity: number } | undefined)?.quantity ?? 0,
    trades: (owner: string, region: string, limit: number) => tradesInRegion.all(owner, region, limit) as TradeRow[],
    trade: (id: string) => tradeById.get(id) as TradeRow | undefined,
    close: () => db.close(),
  };
}

export type PortfolioStore = ReturnType<typeof openPortfolioStore>;
export type { Db };

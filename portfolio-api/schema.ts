// The portfolio API's SQLite schema. The CHECK constraints are the last line of defence: whatever a
// handler gets wrong, cash can never go negative, holdings are positive whole shares, a trade side is
// buy or sell, and an intent is pending, confirmed or cancelled.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS instruments (
  symbol      TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  sector      TEXT NOT NULL,
  region      TEXT NOT NULL,
  currency    TEXT NOT NULL,
  price_minor INTEGER NOT NULL CHECK (price_minor > 0)
);
CREATE TABLE IF NOT EXISTS accounts (
  owner       TEXT PRIMARY KEY,
  currency    TEXT NOT NULL,
  cash_minor  INTEGER NOT NULL CHECK (cash_minor >= 0),
  settings    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS holdings (
  owner       TEXT NOT NULL,
  symbol      TEXT NOT NULL REFERENCES instruments(symbol),
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (owner, symbol)
);
CREATE TABLE IF NOT EXISTS trades (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  owner           TEXT NOT NULL,
  symbol          TEXT NOT NULL REFERENCES instruments(symbol),
  side            TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity        INTEGER NOT NULL CHECK (quantity > 0),
  price_minor     INTEGER NOT NULL,
  total_minor     INTEGER NOT NULL,
  currency        TEXT NOT NULL,
  total_eur_cents INTEGER NOT NULL,
  status          TEXT NOT NULL,
  client_id       TEXT NOT NULL,
  client_type     TEXT,
  act             TEXT,
  intent_id       TEXT UNIQUE,
  approval_receipt TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trades_by_owner ON trades (owner, seq);
CREATE TABLE IF NOT EXISTS trade_intents (
  id              TEXT PRIMARY KEY,
  owner           TEXT NOT NULL,
  symbol          TEXT NOT NULL REFERENCES instruments(symbol),
  side            TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity        INTEGER NOT NULL CHECK (quantity > 0),
  price_minor     INTEGER NOT NULL,
  total_minor     INTEGER NOT NULL,
  currency        TEXT NOT NULL,
  total_eur_cents INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
  client_id       TEXT NOT NULL,
  client_type     TEXT,
  act             TEXT,
  trade_id        TEXT,
  created_at      TEXT NOT NULL,
  expires_at      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawals (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  owner        TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency     TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
`;

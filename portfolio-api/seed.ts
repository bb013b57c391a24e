// Demo data, inserted on every start with INSERT OR IGNORE: a restart never resets balances or undoes
// trades, and a fresh data folder always gets the same instruments and demo users.
// ACME (USD 84.00 = EUR 77.28) is priced for the trade policy thresholds of 200 / 1000 EUR:
// 1-2 shares stay under 200 EUR, 3-12 shares land between 200 and 1000, 13+ shares exceed 1000.
// Alice also owns a Japanese instrument her USA region does not cover: it must never appear in her
// portfolio (the API shows only the token's region), which the tests rely on.
import type { Db } from '../common/db.js';

interface SeedInstrument {
  symbol: string;
  name: string;
  sector: string;
  region: string;
  currency: string;
  /** in minor units */
  price: number;
}

export const INSTRUMENTS: SeedInstrument[] = [
  { symbol: 'ACME', name: 'Acme Corporation', sector: 'tech', region: 'USA', currency: 'USD', price: 8400 },
  { symbol: 'GLBX', name: 'Globex Energy', sector: 'energy', region: 'USA', currency: 'USD', price: 4620 },
  { symbol: 'INIT', name: 'Initech Software', sector: 'tech', region: 'USA', currency: 'USD', price: 21275 },
  { symbol: 'UMBR', name: 'Umbrella Health', sector: 'health', region: 'USA', currency: 'USD', price: 13140 },
  { symbol: 'HOOL', name: 'Hooli Networks', sector: 'telecom', region: 'USA', currency: 'USD', price: 31810 },
  { symbol: 'SOLV', name: 'Solvang Energie', sector: 'energy', region: 'EU', currency: 'EUR', price: 2785 },
  { symbol: 'NORD', name: 'Nordlicht Software', sector: 'tech', region: 'EU', currency: 'EUR', price: 14230 },
  { symbol: 'BRKL', name: 'Brueckel Pharma', sector: 'health', region: 'EU', currency: 'EUR', price: 9315 },
  { symbol: 'VELA', name: 'Vela Motors', sector: 'industrials', region: 'EU', currency: 'EUR', price: 5860 },
  { symbol: 'KAIJ', name: 'Kaiju Robotics', sector: 'tech', region: 'APAC', currency: 'JPY', price: 3450 },
  { symbol: 'SAKR', name: 'Sakura Health', sector: 'health', region: 'APAC', currency: 'JPY', price: 2180 },
  { symbol: 'TAIY', name: 'Taiyo Solar', sector: 'energy', region: 'APAC', currency: 'JPY', price: 1275 },
];

export const ACCOUNTS = [
  { owner: 'alice@demo.example', currency: 'USD', cash: 1_000_000, holdings: { ACME: 10, GLBX: 25, UMBR: 5, KAIJ: 3 } },
  { owner: 'bob@demo.example', currency: 'EUR', cash: 800_000, holdings: { SOLV: 100, NORD: 10, VELA: 20 } },
];

export function seed(db: Db): void {
  const instrument = db.prepare(
    'INSERT OR IGNORE INTO instruments (symbol, name, sector, region, currency, price_minor) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const account = db.prepare('INSERT OR IGNORE INTO accounts (owner, currency, cash_minor) VALUES (?, ?, ?)');
  const holding = db.prepare('INSERT OR IGNORE INTO holdings (owner, symbol, quantity) VALUES (?, ?, ?)');
  const hasAccount = db.prepare('SELECT 1 FROM accounts WHERE owner = ?');
  db.transaction(() => {
    for (const i of INSTRUMENTS) instrument.run(i.symbol, i.name, i.sector, i.region, i.currency, i.price);
    for (const a of ACCOUNTS) {
      // holdings are seeded with the account only: a user who sold everything keeps an empty portfolio
      if (hasAccount.get(a.owner)) continue;
      account.run(a.owner, a.currency, a.cash);
      for (const [symbol, quantity] of Object.entries(a.holdings)) holding.run(a.owner, symbol, quantity);
    }
  })();
}

// Money arithmetic for the portfolio API. Amounts are kept as integers in minor units (cents; whole yen)
// so prices, totals and balances add up exactly; they become decimal numbers only in JSON responses.
// Checks: a currency is one we know (decimals and a fixed EUR rate), else the caller gets an Error.

/** decimals per currency (ISO 4217 minor units) */
const DECIMALS: Record<string, number> = { USD: 2, EUR: 2, JPY: 0 };

/** fixed FX table: value of one unit of the currency in EUR (a lab, not a market feed) */
export const EUR_RATES: Record<string, number> = { USD: 0.92, EUR: 1, JPY: 0.0062 };

function decimals(currency: string): number {
  const d = DECIMALS[currency];
  if (d === undefined) throw new Error(`unknown currency ${currency}`);
  return d;
}

/** minor units -> decimal number for JSON (1234 USD cents -> 12.34) */
export function toDecimal(minor: number, currency: string): number {
  return minor / 10 ** decimals(currency);
}

/** decimal number -> minor units, or undefined when it has more decimals than the currency allows */
export function toMinor(amount: number, currency: string): number | undefined {
  const scaled = amount * 10 ** decimals(currency);
  const rounded = Math.round(scaled);
  return Math.abs(scaled - rounded) < 1e-6 ? rounded : undefined;
}

/** converts minor units between currencies through the EUR table, rounded to the target's minor unit */
export function convertMinor(minor: number, from: string, to: string): number {
  if (from === to) return minor;
  const eur = toDecimal(minor, from) * EUR_RATES[from];
  return Math.round((eur / EUR_RATES[to]) * 10 ** decimals(to));
}

/** a minor-unit amount in EUR, as a decimal rounded to the cent */
export function eurValue(minor: number, currency: string): number {
  return toDecimal(convertMinor(minor, currency, 'EUR'), 'EUR');
}

/** the currency an account in a region holds its cash in */
export const REGION_CURRENCY: Record<string, string> = { USA: 'USD', EU: 'EUR', APAC: 'JPY' };

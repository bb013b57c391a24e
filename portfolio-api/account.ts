// Cash withdrawals and account settings: the operations no agent may perform (authz.ts agent rule is
// applied by the routes before anything here runs). Checks for a direct, high-assurance caller:
//  - withdrawal: a positive amount in the account's currency with no more decimals than it has,
//    at most the cash available (else 400); cash and the withdrawal record change in one transaction
//  - settings: a JSON object of at most 4 KiB, stored as given (replaces the previous settings)
import type { Caller } from './authz.js';
import { invalidRequest } from './errors.js';
import { toDecimal, toMinor } from './money.js';
import type { PortfolioStore } from './store.js';
import { parseAmount } from './validate.js';

export const MAX_SETTINGS_BYTES = 4 * 1024;

export function createAccountActions(store: PortfolioStore) {
  const { db } = store;
  const debit = db.prepare('UPDATE accounts SET cash_minor = cash_minor - ? WHERE owner = ? AND cash_minor >= ?');
  const record = db.prepare(
    'INSERT INTO withdrawals (owner, amount_minor, currency, client_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const saveSettings = db.prepare('UPDATE accounts SET settings = ? WHERE owner = ?');

  const withdraw = db.transaction((caller: Caller, amountMinor: number, currency: string) => {
    if (debit.run(amountMinor, caller.sub, amountMinor).changes !== 1) {
      throw invalidRequest(`insufficient cash: withdrawing ${toDecimal(amountMinor, currency)} ${currency}`);
    }
    record.run(caller.sub, amountMinor, currency, caller.client_id, new Date().toISOString());
  });

  return {
    withdraw(caller: Caller, body: Record<string, unknown>) {
      const amount = parseAmount(body.amount);
      const account = store.account(caller.sub);
      if (!account) throw invalidRequest('no cash account for this user');
      const minor = toMinor(amount, account.currency);
      if (minor === undefined || minor <= 0) throw invalidRequest(`amount has more decimals than ${account.currency} allows`);
      if (body.currency !== undefined && body.currency !== account.currency) {
        throw invalidRequest(`withdrawals are in the account currency ${account.currency}`);
      }
      withdraw.immediate(caller, minor, account.currency);
      return { amount: toDecimal(minor, account.currency), currency: account.currency };
    },

    settings(caller: Caller): Record<string, unknown> {
      const account = store.account(caller.sub);
      return account ? JSON.parse(account.settings) : {};
    },

    saveSettings(caller: Caller, body: Record<string, unknown>) {
      const text = JSON.stringify(body);
      if (Buffer.byteLength(text) > MAX_SETTINGS_BYTES) throw invalidRequest(`settings may not exceed ${MAX_SETTINGS_BYTES} bytes`);
      if (!store.account(caller.sub)) throw invalidRequest('no account for this user');
      saveSettings.run(text, caller.sub);
      return body;
    },
  };
}

export type AccountActions = ReturnType<typeof createAccountActions>;

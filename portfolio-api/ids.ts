// Random identifiers for trades and intents: letters and digits only, so an intent id can be carried
// inside a `transaction_<id>` scope (the auth server accepts [A-Za-z0-9-]) without escaping.
import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}

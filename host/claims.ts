// Tokens stay on the server: what the host shows is their decoded claims, never the token itself.
// `redactTokens` is the last line of defence on everything the host sends to a browser.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** the payload of a JWT, or undefined when `token` is not one (signature not checked: display only) */
export { decodeTokenClaims as decodeClaims } from '../common/token-claims.js';

/** a deep copy of `value` with every JWT-looking string replaced */
export function redactTokens<T>(value: T): T {
  if (typeof value === 'string') return value.replace(JWT, '[token redacted]') as T;
  if (Array.isArray(value)) return value.map(redactTokens) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactTokens(v)])) as T;
  }
  return value;
}

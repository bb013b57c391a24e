// The server's ES256 key for what it signs outside oidc-provider (exchanged access tokens on the fast
// path, approval receipts). It is the key oidc-provider itself picks for ES256 access tokens, so every
// token carries the same kid whoever minted it. node:crypto signs on libuv's thread pool, off the event
// loop, for less CPU than WebCrypto.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { PrivateJwks } from './keys.js';

export interface Es256Signer {
  kid: string;
  /** a compact JWS: header {alg: ES256, typ, kid}, the payload as JSON */
  sign(typ: string, payload: Record<string, unknown>): Promise<string>;
}

const signAsync = promisify(crypto.sign);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function createEs256Signer(jwks: PrivateJwks): Es256Signer {
  // oidc-provider's keystore.selectForSign({ alg: 'ES256', use: 'sig' }): the first key that fits
  const jwk = jwks.keys.find((k) => k.kty === 'EC' && k.crv === 'P-256' && (k.alg ?? 'ES256') === 'ES256' && (k.use ?? 'sig') === 'sig');
  if (!jwk) throw new Error('the key set has no ES256 signing key');
  const kid = (jwk as { kid?: string }).kid ?? '';
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  return {
    kid,
    async sign(typ, payload) {
      const input = `${base64url({ alg: 'ES256', typ, kid })}.${base64url(payload)}`;
      const signature = await signAsync('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}

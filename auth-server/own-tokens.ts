// Verifies access tokens this server issued, when they come back to it as input
// (token exchange subject/actor tokens, CIBA login_hint_token).
// Checks: ES256 signature with our key, typ at+jwt, issuer, expiry, audience among the allowed,
// and that the token's grant has not been revoked (JWT access tokens are not stored, we track their jti).
import crypto from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Grants } from './grants.js';
import type { PrivateJwks } from './keys.js';

export interface OwnToken extends JWTPayload {
  sub: string;
  jti: string;
  exp: number;
  client_id: string;
  scope?: string;
  act?: Actor;
  may_act?: { sub: string };
  client_type?: string;
  client_assurance_level?: number;
  region?: string;
}

export interface Actor {
  sub: string;
  act?: Actor;
}

export interface VerifiedOwnToken {
  claims: OwnToken;
  /** the grant the token was issued under (absent for client credentials) */
  grantId?: string;
}

export type OwnTokenProblem = 'malformed' | 'expired' | 'foreign' | 'audience' | 'revoked';

export class OwnTokenError extends Error {
  constructor(readonly problem: OwnTokenProblem, message: string) {
    super(message);
  }
}

interface Remembered {
  claims: OwnToken;
  /** the ledger's record, once looked up */
  issued?: { grantId?: string };
}

/** how many verified tokens to remember; an MCP server presents the same user token many times */
const REMEMBERED_TOKENS = 10_000;

export function createOwnTokenVerifier(issuer: string, jwks: PrivateJwks, grants: Grants) {
  const keys = new Map(
    jwks.keys.filter((k) => k.alg === 'ES256').map((k) => [(k as any).kid as string, crypto.createPublicKey({ key: k, format: 'jwk' })]),
  );
  const getKey = (header: { kid?: string }) => {
    const key = header.kid ? keys.get(header.kid) : undefined;
    if (!key) throw new OwnTokenError('foreign', 'token is not signed by a key of this server');
    return key;
  };

  // The signature, issuer and typ of a given token string never change, nor does its ledger record
  // (written when it was issued): verify and look them up once, then check expiry, audience and
  // revocation (which do change) on every use.
  const verified = new Map<string, Remembered>();
  const remember = (token: string, claims: OwnToken) => {
    if (verified.size >= REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!); // the oldest
    const entry: Remembered = { claims: deepFreeze(claims) }; // shared by every later use of the token: nobody may change it
    verified.set(token, entry);
    return entry;
  };

  async function verifySignature(token: string): Promise<OwnToken> {
    try {
      const { payload } = await jwtVerify(token, getKey, { issuer, typ: 'at+jwt', algorithms: ['ES256'], requiredClaims: ['sub', 'jti', 'exp'] });
      return payload as OwnToken;
    } catch (err) {
      if (err instanceof OwnTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new OwnTokenError('expired', 'token has expired');
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new OwnTokenError('foreign', 'token signature is invalid');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'iss') throw new OwnTokenError('foreign', 'token was issued by another server');
      throw new OwnTokenError('malformed', `token is not valid: ${(err as Error).message}`);
    }
  }

  return async function verifyOwnToken(token: unknown, audiences: string[]): Promise<VerifiedOwnToken> {
    if (typeof token !== 'string' || token.split('.').length !== 3) throw new OwnTokenError('malformed', 'token is not a JWT');
    const entry = verified.get(token) ?? remember(token, await verifySignature(token));
    const { claims } = entry;
    if (claims.exp <= Math.floor(Date.now() / 1000)) {
      verified.delete(token);
      throw new OwnTokenError('expired', 'token has expired');
    }
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => a && audiences.includes(a))) throw new OwnTokenError('audience', 'token is not meant for this use (audience)');
    const issued = (entry.issued ??= grants.issued(claims.jti));
    // signed by us but not in the ledger: a kind of token this server never takes back (e.g. an exchanged one)
    if (!issued) throw new OwnTokenError('foreign', 'token is not one this server accepts back');
    if (issued.grantId && grants.isRevoked(issued.grantId)) throw new OwnTokenError('revoked', 'token has been revoked');
    return { claims, grantId: issued.grantId };
  };
}

export type OwnTokenVerifier = ReturnType<typeof createOwnTokenVerifier>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** how many actors deep an `act` chain is */
export function chainDepth(act?: Actor): number {
  return act ? 1 + chainDepth(act.act) : 0;
}

// Resource-server side validation of the auth server's JWT access tokens (RFC 9068), shared by the
// MCP server and the portfolio API. Each check maps to an RFC 6750 error:
//  - missing token                                  -> 401, no error code (RFC 6750 §3.1)
//  - not a JWT, bad signature, wrong issuer, wrong typ (not at+jwt), algorithm off the allow-list,
//    audience other than exactly this resource, expired or not yet valid -> 401 invalid_token
//  - valid token without the needed scopes          -> 403 insufficient_scope
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

export interface AccessClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope?: string;
  region?: string;
  client_type?: string;
  client_assurance_level?: number;
  act?: { sub: string; act?: unknown };
  may_act?: { sub: string };
  authorization_details?: unknown[];
  /** CIBA transaction tokens: the user's signed approval receipt (JWS) */
  approval_receipt?: string;
}

export class TokenError extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    /** RFC 6750 error code, absent when no token was sent */
    readonly code: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined,
    readonly description: string,
    /** for insufficient_scope: every scope the operation needs */
    readonly scope?: string,
  ) {
    super(description);
  }
}

export interface VerifierOptions {
  issuer: string;
  /** where to fetch the issuer's JWKS (the internal URL of the auth server) */
  jwksUrl: string;
  /** this resource server's identifier: the token's aud must be exactly this */
  audience: string;
}

export const ALLOWED_ALGORITHMS = ['ES256'];

/** how many verified tokens a resource server remembers (a host presents the same token on every call) */
const REMEMBERED_TOKENS = 10_000;

export function createAccessTokenVerifier({ issuer, jwksUrl, audience }: VerifierOptions) {
  const jwks = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  // Signature, issuer, typ and audience of a given token string never change: check them once, then
  // only expiry on later presentations. Revocation is the caller's check (it does change).
  const verified = new Map<string, AccessClaims>();

  async function verifyFully(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      audience,
      typ: 'at+jwt',
      algorithms: ALLOWED_ALGORITHMS,
      requiredClaims: ['sub', 'exp', 'client_id'],
    });
    // `audience` accepts any match in an array; a resource server wants to be the only audience
    if (Array.isArray(payload.aud) && (payload.aud.length !== 1 || payload.aud[0] !== audience)) {
      throw new TokenError(401, 'invalid_token', 'token audience is not exactly this resource');
    }
    const claims = Object.freeze(payload) as AccessClaims;
    if (verified.size >= REMEMBERED_TOKENS) verified.clear();
    verified.set(token, claims);
    return claims;
  }

  return async function verifyAccessToken(token: string | undefined): Promise<AccessClaims> {
    if (!token) throw new TokenError(401, undefined, 'no access token');
    try {
      const known = verified.get(token);
      if (!known) return await verifyFully(token);
      if (known.exp! <= Math.floor(Date.now() / 1000)) {
        verified.delete(token);
        throw new TokenError(401, 'invalid_token', 'token expired');
      }
      return known;
    } catch (err) {
      if (err instanceof TokenError) throw err;
      throw new TokenError(401, 'invalid_token', describeJoseError(err));
    }
  };
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token ${err.claim} claim is not acceptable`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token signing algorithm is not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token is not signed by a known key';
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'token is malformed';
  return 'token is invalid';
}

/** reads `Authorization: Bearer <token>`; undefined when absent */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  if (!m) throw new TokenError(400, 'invalid_request', 'Authorization header is not a Bearer token');
  return m[1];
}

export function scopesOf(claims: AccessClaims): Set<string> {
  return new Set(String(claims.scope ?? '').split(' ').filter(Boolean));
}

/** throws 403 insufficient_scope naming every scope needed, when any is missing */
export function requireScopes(claims: AccessClaims, needed: string[]): void {
  const held = scopesOf(claims);
  if (!needed.every((s) => held.has(s))) {
    throw new TokenError(403, 'insufficient_scope', `this operation needs scope: ${needed.join(' ')}`, needed.join(' '));
  }
}

const quote = (v: string) => v.replace(/["\\]/g, '');

/** RFC 6750 §3 WWW-Authenticate value, with RFC 9728 resource_metadata when given */
export function bearerChallenge(err: TokenError | undefined, extra: { resourceMetadata?: string; scope?: string } = {}): string {
  const parts: string[] = [];
  if (extra.resourceMetadata) parts.push(`resource_metadata="${quote(extra.resourceMetadata)}"`);
  const scope = err?.scope ?? extra.scope;
  if (scope) parts.push(`scope="${quote(scope)}"`);
  if (err?.code) {
    parts.push(`error="${err.code}"`);
    parts.push(`error_description="${quote(err.description)}"`);
  }
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

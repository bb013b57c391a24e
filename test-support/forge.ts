// Signs arbitrary tokens with the auth server's real keys (read from its data folder), so tests can
// prove a resource server refuses each single defect: wrong issuer, audience, typ, algorithm, expiry.
import fs from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT, generateKeyPair, type JWTPayload } from 'jose';

export async function forgeToken(
  dataDir: string,
  claims: JWTPayload & Record<string, unknown>,
  { alg = 'ES256', typ = 'at+jwt', foreignKey = false }: { alg?: 'ES256' | 'RS256'; typ?: string; foreignKey?: boolean } = {},
): Promise<string> {
  const jwks = JSON.parse(fs.readFileSync(path.join(dataDir, 'jwks.json'), 'utf8')) as { keys: any[] };
  const jwk = jwks.keys.find((k) => k.alg === alg)!;
  const key = foreignKey ? (await generateKeyPair(alg)).privateKey : await importJWK(jwk, alg);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 300, jti: `forged-${now}-${Math.random()}`, ...claims })
    .setProtectedHeader({ alg, typ, kid: jwk.kid })
    .sign(key);
}

/** a JWT with alg "none" (unsigned) */
export function unsignedToken(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc(claims)}.`;
}

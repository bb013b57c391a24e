// Signing keys: generated on first start, kept in the data folder, reused on every later start.
// ES256 signs access tokens and receipts; RS256 stays for ID tokens (the OIDC default algorithm).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PrivateJwks {
  keys: crypto.JsonWebKey[];
}

function generate(): PrivateJwks {
  const stamp = Date.now().toString(36);
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...ec, kid: `es256-${stamp}`, alg: 'ES256', use: 'sig' },
      { ...rsa, kid: `rs256-${stamp}`, alg: 'RS256', use: 'sig' },
    ],
  };
}

export function loadOrCreateKeys(dataDir: string): PrivateJwks {
  const file = path.join(dataDir, 'jwks.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const jwks = generate();
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  return jwks;
}

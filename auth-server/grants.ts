// Users' grants to clients (what /account lists), client usage, and revocation of a whole grant.
// JWT access tokens are not stored by oidc-provider, so we record each issued token's jti with its
// grant: a token whose grant was revoked is refused by token exchange even before it expires.
// Revoked grant ids are also kept in memory (this server is their only writer): token exchange asks
// on every request.
import type { Db } from '../common/db.js';
import { epochSeconds } from '../common/db.js';
import { EXCHANGE_GTY } from './token-exchange/state.js';

export interface GrantRow {
  id: string;
  clientId: string;
  accountId: string;
  resources: Record<string, string>;
  iat: number;
}

/** "last used" is shown to the minute: a client/user pair is written at most this often */
const USAGE_RESOLUTION_S = 60;

export function createGrants(db: Db, provider: any) {
  const byAccount = db.prepare(
    `SELECT id, payload FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.accountId') = ?
       AND (expires_at IS NULL OR expires_at > unixepoch()) ORDER BY id`,
  );
  const recordToken = db.prepare(
    'INSERT OR IGNORE INTO issued_tokens (jti, grant_id, client_id, account_id, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const issuedToken = db.prepare('SELECT grant_id FROM issued_tokens WHERE jti = ?').pluck();
  const revokedGrantIds = db.prepare('SELECT grant_id FROM revoked_grants').pluck();
  let revoked = new Set(revokedGrantIds.all() as string[]);
  const revokedSince = db.prepare(
    `SELECT t.jti, t.expires_at FROM issued_tokens t JOIN revoked_grants r ON r.grant_id = t.grant_id
      WHERE r.revoked_at >= ? AND t.expires_at > ?`,
  );
  const markRevoked = db.prepare('INSERT OR IGNORE INTO revoked_grants (grant_id, revoked_at) VALUES (?, ?)');
  const touch = db.prepare(
    `INSERT INTO client_usage (client_id, account_id, last_used_at) VALUES (?, ?, ?)
     ON CONFLICT (client_id, account_id) DO UPDATE SET last_used_at = excluded.last_used_at`,
  );
  const lastUse = db.prepare('SELECT last_used_at FROM client_usage WHERE client_id = ? AND account_id = ?');
  const sweepTokens = db.prepare('DELETE FROM issued_tokens WHERE expires_at <= ?');
  // a revoked grant only matters while a token issued under it may still be presented
  const sweepRevoked = db.prepare(
    'DELETE FROM revoked_grants WHERE grant_id NOT IN (SELECT grant_id FROM issued_tokens WHERE grant_id IS NOT NULL)',
  );

  // token exchange marks two clients used on every request; skip writes that would not change the page
  const usageWritten = new Map<string, number>();
  const markUsed = (clientId: string, accountId: string) => {
    const now = epochSeconds();
    const key = `${clientId}\n${accountId}`;
    if (now - (usageWritten.get(key) ?? -Infinity) < USAGE_RESOLUTION_S) return;
    if (usageWritten.size >= 10_000) usageWritten.clear();
    usageWritten.set(key, now);
    touch.run(clientId, accountId, now);
  };

  return {
    listForAccount(accountId: string): GrantRow[] {
      return (byAccount.all(accountId) as { id: string; payload: string }[]).map(({ id, payload }) => {
        const p = JSON.parse(payload);
        return { id, clientId: p.clientId, accountId: p.accountId, resources: p.resources ?? {}, iat: p.iat };
      });
    },

    /** called for every issued access token (events from oidc-provider and token exchange) */
    recordIssued(token: any): void {
      // An exchanged token (a user's, for the API) never comes back here as a subject or actor token,
      // so nothing looks its jti up: skip the write, which was the costliest step of an exchange.
      if (token.gty !== EXCHANGE_GTY) recordToken.run(token.jti, token.grantId ?? null, token.clientId, token.accountId ?? null, token.exp ?? epochSeconds() + 3600);
      markUsed(token.clientId, token.accountId ?? '');
    },
    touch(clientId: string, accountId = ''): void {
      markUsed(clientId, accountId);
    },
    lastUsed(clientId: string, accountId: string): number | undefined {
      return (lastUse.get(clientId, accountId) as { last_used_at: number } | undefined)?.last_used_at;
    },

    /** the ledger's record of a JWT access token (its grant; none for client credentials), undefined if not issued here */
    issued(jti: string): { grantId?: string } | undefined {
      const grantId = issuedToken.get(jti) as string | null | undefined;
      return grantId === undefined ? undefined : { grantId: grantId ?? undefined };
    },
    isRevoked(grantId: string): boolean {
      return revoked.has(grantId);
    },

    /** removes the grant, every stored token from it, and marks its JWTs revoked */
    async revoke(grantId: string): Promise<void> {
      markRevoked.run(grantId, epochSeconds());
      revoked.add(grantId);
      const grant = await provider.Grant.find(grantId);
      await grant?.destroy();
      await provider.AccessToken.adapter.revokeByGrantId(grantId);
    },

    /** unexpired tokens whose grant was revoked at or after `since` (epoch seconds): the revocation feed */
    revokedTokensSince(since: number): { jti: string; exp: number }[] {
      return (revokedSince.all(since, epochSeconds()) as { jti: string; expires_at: number }[]).map((r) => ({ jti: r.jti, exp: r.expires_at }));
    },

    sweep(): number {
      const swept = sweepTokens.run(epochSeconds()).changes;
      sweepRevoked.run();
      revoked = new Set(revokedGrantIds.all() as string[]);
      return swept;
    },
  };
}

export type Grants = ReturnType<typeof createGrants>;

// Knows which host tokens the user revoked (Remove on /account) by reading the auth server's
// revocation feed at most once a second, on demand: an idle server makes no calls at all.
import type { StackConfig } from '../common/config.js';
import type { JsonClient } from '../common/http-client.js';
import type { Logger } from '../common/log.js';
import { mcpServerAuthorization } from './client-auth.js';

const REFRESH_MS = 1000;

export function createRevocationList(config: StackConfig, requestJson: JsonClient, log: Logger, onRevoked: () => void) {
  const revoked = new Map<string, number>(); // jti -> exp
  const authorization = mcpServerAuthorization(config);
  let since = 0;
  let checkedAt = 0;
  let inFlight: Promise<void> | undefined;

  async function refresh() {
    try {
      const res = await requestJson(`${config.auth.internalUrl}/revocations?since=${since}`, { headers: { authorization }, timeoutMs: 2000 });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const now = Math.floor(Date.now() / 1000);
      for (const [jti, exp] of revoked) if (exp <= now) revoked.delete(jti);
      const before = revoked.size;
      for (const t of res.body.revoked as { jti: string; exp: number }[]) revoked.set(t.jti, t.exp);
      if (revoked.size > before) onRevoked();
      since = Math.max(0, Number(res.body.now) - 1); // overlap a second: a revocation is never missed
      checkedAt = Date.now();
    } catch (err) {
      // fail open for availability, but loudly: tokens stay valid until their own expiry
      log.warn('revocation feed unavailable', { error: (err as Error).message });
      checkedAt = Date.now();
    }
  }

  return async function isRevoked(jti: string | undefined): Promise<boolean> {
    if (Date.now() - checkedAt >= REFRESH_MS) {
      inFlight ??= refresh().finally(() => { inFlight = undefined; });
      await inFlight;
    }
    return jti !== undefined && revoked.has(jti);
  };
}

// Authenticates the static `mcp-server` client on our own endpoints (PDP, approval QR frames) the way
// the token endpoint does for client_secret_basic: HTTP Basic, compared in constant time.
import crypto from 'node:crypto';

export function createServiceClientCheck(clientId: string, secret: string) {
  const expected = crypto.createHash('sha256').update(`${clientId}:${secret}`).digest();
  return function isServiceClient(authorization: string | undefined): boolean {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
    if (!m) return false;
    const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
    const given = crypto.createHash('sha256').update(`${decodeURIComponent(id)}:${decodeURIComponent(rest.join(':'))}`).digest();
    return crypto.timingSafeEqual(expected, given);
  };
}

export type ServiceClientCheck = ReturnType<typeof createServiceClientCheck>;

/** answers 401 invalid_client unless the request is from the service client; returns whether it may go on */
export function requireServiceClient(ctx: any, check: ServiceClientCheck): boolean {
  if (check(ctx.get('authorization'))) return true;
  ctx.status = 401;
  ctx.set('www-authenticate', 'Basic realm="mcp-auth-lab"');
  ctx.body = { error: 'invalid_client', error_description: 'authenticate as the mcp-server client (HTTP Basic)' };
  return false;
}

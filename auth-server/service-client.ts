// Authenticates the static `mcp-server` client on our own endpoints (PDP, approval QR frames) the way
// the token endpoint does for client_secret_basic: HTTP Basic, compared in constant time.
import crypto from 'node:crypto';
import { parseBasicAuthorization } from '../common/basic-auth.js';

export function createServiceClientCheck(clientId: string, secret: string) {
  const expected = crypto.createHash('sha256').update(`${clientId}:${secret}`).digest();
  return function isServiceClient(authorization: string | undefined): boolean {
    const credentials = parseBasicAuthorization(authorization);
    if (!credentials) return false;
    const given = crypto.createHash('sha256').update(`${credentials.id}:${credentials.secret}`).digest();
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

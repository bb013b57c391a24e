// In front of the registration endpoint: a per-IP rate limit and a 16 KiB body limit, answered
// before oidc-provider parses anything, so an abusive request costs nothing and stores nothing.
import { BodyError, readBody } from '../../common/http.js';

export const MAX_REGISTRATION_BYTES = 16 * 1024;
const DRAIN_BYTES = 1024 * 1024;

const LOOPBACK_PEER = /^(127\.|::1$|::ffff:127\.)/;

// ctx.ip (provider.proxy) is the left-most X-Forwarded-For entry, which any client can write. Count by what the
// nearest hop saw: the socket peer, or, when the peer is a proxy on this machine (a tunnel), the entry it appended.
function clientAddress(ctx: any): string {
  const peer: string = ctx.req.socket.remoteAddress ?? '';
  const forwarded = ctx.get('x-forwarded-for').split(',').map((s: string) => s.trim()).filter(Boolean);
  return LOOPBACK_PEER.test(peer) && forwarded.length ? forwarded[forwarded.length - 1] : peer;
}

export function registrationGuard(path: string, perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  // oidc-provider's router ignores case and one trailing slash (/REG/ is /reg): match the same requests
  const guarded = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p).toUpperCase() === path.toUpperCase();

  return async (ctx: any, next: () => Promise<void>) => {
    if (ctx.method !== 'POST' || !guarded(ctx.path)) return next();

    const now = Date.now();
    const ip = clientAddress(ctx);
    const w = windows.get(ip);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      windows.set(ip, { start: now, count: 1 });
    } else if (++w.count > perMinute) {
      ctx.status = 429;
      ctx.set('retry-after', String(Math.ceil((w.start + 60_000 - now) / 1000)));
      ctx.body = { error: 'temporarily_unavailable', error_description: `too many registrations from this address (limit ${perMinute} per minute)` };
      return;
    }

    // A declared length is checked without reading (Node discards the unread body); a chunked body is read
    // here. It is read on past the limit (up to 1 MiB) before the refusal: a server that stops reading
    // mid-body closes the connection with data unread, and the reset can cost the client the 413.
    const declared = ctx.get('content-length');
    if (!declared || Number(declared) > MAX_REGISTRATION_BYTES) {
      let body: Buffer | undefined;
      try {
        body = await readBody(ctx.req, declared ? MAX_REGISTRATION_BYTES : MAX_REGISTRATION_BYTES + DRAIN_BYTES);
      } catch (err) {
        if (!(err instanceof BodyError)) throw err;
        if (err.status !== 413) {
          ctx.status = err.status;
          ctx.body = { error: 'invalid_request', error_description: err.message };
          return;
        }
      }
      if (!body || body.length > MAX_REGISTRATION_BYTES) {
        ctx.status = 413;
        ctx.body = { error: 'invalid_client_metadata', error_description: `registration request body must be at most ${MAX_REGISTRATION_BYTES} bytes` };
        return;
      }
      ctx.req.body = body;
    }
    await next();
  };
}

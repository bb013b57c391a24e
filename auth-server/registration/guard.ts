// In front of the registration endpoint: a per-IP rate limit and a 16 KiB body limit, answered
// before oidc-provider parses anything, so an abusive request costs nothing and stores nothing.
import { BodyError, readBody } from '../../common/http.js';

export const MAX_REGISTRATION_BYTES = 16 * 1024;

export function registrationGuard(path: string, perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();

  return async (ctx: any, next: () => Promise<void>) => {
    if (ctx.path !== path || ctx.method !== 'POST') return next();

    const now = Date.now();
    const w = windows.get(ctx.ip);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      windows.set(ctx.ip, { start: now, count: 1 });
    } else if (++w.count > perMinute) {
      ctx.status = 429;
      ctx.set('retry-after', String(Math.ceil((w.start + 60_000 - now) / 1000)));
      ctx.body = { error: 'temporarily_unavailable', error_description: `too many registrations from this address (limit ${perMinute} per minute)` };
      return;
    }

    // A declared length is checked without reading; a chunked body is read here with the limit.
    const declared = ctx.get('content-length');
    if (!declared || Number(declared) > MAX_REGISTRATION_BYTES) {
      try {
        ctx.req.body = await readBody(ctx.req, MAX_REGISTRATION_BYTES);
      } catch (err) {
        if (!(err instanceof BodyError)) throw err;
        ctx.status = err.status;
        ctx.body = { error: 'invalid_client_metadata', error_description: `registration request body must be at most ${MAX_REGISTRATION_BYTES} bytes` };
        return;
      }
    }
    await next();
  };
}

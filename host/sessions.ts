// Browser sessions: a random id in an HttpOnly cookie, HMAC-signed so a guessed or forged cookie is
// simply a new session. Everything valuable (the MCP connection and its tokens) stays in this map.
// SameSite=Lax still sends the cookie on the popup's top-level return to /oauth/callback.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpSession } from './mcp-session.js';

const COOKIE = 'lab_host_session';
const IDLE_MS = 4 * 3600_000;
const MAX_SESSIONS = 1000;

export interface BrowserSession {
  id: string;
  lastSeen: number;
  mcp?: McpSession;
  /** the server URL and registration mode chosen in the UI (kept after a disconnect) */
  mcpUrl?: string;
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function createSessions(key: string, secureCookie: boolean) {
  const sessions = new Map<string, BrowserSession>();
  const sign = (id: string) => crypto.createHmac('sha256', key).update(id).digest('base64url');

  function verified(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const [id, mac] = value.split('.');
    if (!id || !mac) return undefined;
    const expected = sign(id);
    return mac.length === expected.length && crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) ? id : undefined;
  }

  function drop(id: string) {
    const s = sessions.get(id);
    sessions.delete(id);
    void s?.mcp?.close();
  }

  function sweep() {
    const now = Date.now();
    for (const [id, s] of sessions) if (now - s.lastSeen > IDLE_MS) drop(id);
    // still too many: the least recently used go first (Map order is insertion; re-inserted on use)
    while (sessions.size > MAX_SESSIONS) drop(sessions.keys().next().value!);
  }
  const timer = setInterval(sweep, 10 * 60_000).unref();

  return {
    /** the caller's session, or a new one (setting the cookie) when `create` is true */
    get(req: IncomingMessage, res: ServerResponse, create: boolean): BrowserSession | undefined {
      const id = verified(readCookie(req, COOKIE));
      const existing = id ? sessions.get(id) : undefined;
      if (existing) {
        existing.lastSeen = Date.now();
        sessions.delete(existing.id);
        sessions.set(existing.id, existing);
        return existing;
      }
      if (!create) return undefined;
      const session: BrowserSession = { id: crypto.randomBytes(18).toString('base64url'), lastSeen: Date.now() };
      sessions.set(session.id, session);
      sweep();
      const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secureCookie ? ['Secure'] : [])];
      res.setHeader('set-cookie', `${COOKIE}=${session.id}.${sign(session.id)}; ${attrs.join('; ')}`);
      return session;
    },
    async closeAll() {
      clearInterval(timer);
      await Promise.allSettled([...sessions.values()].map((s) => s.mcp?.close()));
      sessions.clear();
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

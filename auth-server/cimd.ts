// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client_id that is a URL
// names a JSON document describing the client. We fetch it ourselves (oidc-provider's built-in fetch refuses
// loopback, which local mode needs), validate it and hand it to oidc-provider, where the registration
// policy validator runs on it like on any other client.
//
// Checks: URL shape (https; http on loopback in local mode; no fragment, credentials or dot segments),
// outside local mode a host that resolves to a loopback, private or link-local address (SSRF),
// 200 response within 5 s and 5 KiB, a JSON object whose client_id equals the URL, no shared secrets,
// redirect_uris present. Documents are cached for their Cache-Control max-age (60 s .. 1 day).
import dns from 'node:dns/promises';
import net from 'node:net';
import { errors } from 'oidc-provider';
import type { Logger } from '../common/log.js';
import { isLoopback } from './registration/apply-policy.js';

const MAX_BYTES = 5 * 1024;
const TIMEOUT_MS = 5000;
const MIN_CACHE_S = 60;
const MAX_CACHE_S = 86400;
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

export interface CimdResolver {
  accepts(id: string): boolean;
  resolve(id: string): Promise<Record<string, unknown>>;
}

const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 127], ['::ffff:0:0', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');

async function refuseNonPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch (err) {
    throw new errors.InvalidClient('client metadata document could not be fetched', (err as Error).message);
  }
  if (addresses.some((a) => NOT_PUBLIC.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'))) {
    throw new errors.InvalidClient('client metadata document host is not a public address');
  }
}

function parseClientIdUrl(id: string, localMode: boolean): URL | undefined {
  if (/[\s\\#]/.test(id)) return undefined;
  // the URL parser removes dot segments (also %2e ones), so look at the path as written
  const rawPath = id.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '').split('?')[0];
  if (rawPath.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) return undefined;
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.pathname === '/') return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && localMode && isLoopback(url)) return url;
  return undefined;
}

function cacheSeconds(res: Response): number {
  const maxAge = /max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '');
  const value = maxAge ? Number(maxAge[1]) : MIN_CACHE_S;
  return Math.min(MAX_CACHE_S, Math.max(MIN_CACHE_S, value));
}

async function readLimited(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new errors.InvalidClient('client metadata document too large', `over ${MAX_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createCimdResolver(localMode: boolean, log: Logger): CimdResolver {
  const cache = new Map<string, { doc: Record<string, unknown>; until: number }>();
  const pending = new Map<string, Promise<Record<string, unknown>>>();

  async function fetchDocument(id: string): Promise<Record<string, unknown>> {
    if (!localMode) await refuseNonPublicHost(new URL(id));
    let res: Response;
    try {
      res = await fetch(id, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new errors.InvalidClient('client metadata document could not be fetched', (err as Error).message);
    }
    if (res.status !== 200) {
      throw new errors.InvalidClient('client metadata document could not be fetched', `status ${res.status}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(await readLimited(res));
    } catch (err) {
      if (err instanceof errors.InvalidClient) throw err;
      throw new errors.InvalidClient('client metadata document is not JSON');
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new errors.InvalidClient('client metadata document is not a JSON object');
    const meta = doc as Record<string, unknown>;
    if (meta.client_id !== id) throw new errors.InvalidClient('client metadata document client_id does not match its URL');
    if ('client_secret' in meta || SECRET_METHODS.has(String(meta.token_endpoint_auth_method))) {
      throw new errors.InvalidClient('client metadata document must not use a shared secret');
    }
    if (!Array.isArray(meta.redirect_uris) || meta.redirect_uris.length === 0) {
      throw new errors.InvalidClient('client metadata document has no redirect_uris');
    }
    cache.set(id, { doc: meta, until: Date.now() + cacheSeconds(res) * 1000 });
    log.info('client metadata document fetched', { client_id: id });
    return { token_endpoint_auth_method: 'none', ...meta };
  }

  return {
    accepts: (id) => parseClientIdUrl(id, localMode) !== undefined,
    async resolve(id) {
      const hit = cache.get(id);
      if (hit && hit.until > Date.now()) return { token_endpoint_auth_method: 'none', ...hit.doc };
      let request = pending.get(id);
      if (!request) {
        request = fetchDocument(id).finally(() => pending.delete(id));
        pending.set(id, request);
      }
      return request;
    },
  };
}

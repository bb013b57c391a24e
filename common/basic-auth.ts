// HTTP Basic client authentication as RFC 6749 §2.3.1 has it (client_secret_basic): the client id and
// secret, each form-encoded, joined by a colon, in base64. Written by the MCP server and the tests,
// read by the auth server's own endpoints and its token exchange fast path.

const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
/** what oidc-provider refuses in a decoded client id or secret (RFC 6749 VSCHAR is %x20-7E) */
const NOT_VSCHAR = /[^\x20-\x7E]/;

export function basicAuthorization(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** the client id and secret of a Basic authorization header; undefined for anything malformed */
export function parseBasicAuthorization(header: string | undefined): { id: string; secret: string } | undefined {
  const m = BASIC.exec(header ?? '');
  if (!m) return undefined;
  const pair = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const [id, secret] = [pair.slice(0, colon), pair.slice(colon + 1)].map((s) => decodeURIComponent(s.replace(/\+/g, '%20')));
    return NOT_VSCHAR.test(id) || NOT_VSCHAR.test(secret) ? undefined : { id, secret };
  } catch {
    return undefined; // a broken %-escape
  }
}

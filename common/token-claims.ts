// Decoded token payloads for display (flow inspector, logs): the claims only, never the token. The
// signature is not checked here — this is for showing what a token says, never for trusting it.
// A claim that is itself a compact JWS (e.g. a signed approval receipt) is shown decoded the same way.

const COMPACT_JWS = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const decodePart = (part: string) => parseObject(Buffer.from(part, 'base64url').toString('utf8'));

function expandNested(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    if (!COMPACT_JWS.test(value)) return value;
    const claims = depth < 4 ? decodePart(value.split('.')[1]) : undefined;
    return { decoded_jws: claims ? expandNested(claims, depth + 1) : '[not decodable]' };
  }
  if (Array.isArray(value)) return value.map((v) => expandNested(v, depth + 1));
  if (value && typeof value === 'object' && depth < 8) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandNested(v, depth + 1)]));
  }
  return value;
}

/** the payload of a compact JWT as an object; undefined for anything that is not one (opaque tokens) */
export function decodeTokenClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.length > 16_384) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const json = Buffer.from(parts[1], 'base64url').toString('utf8');
  const claims = parseObject(json);
  // a nested JWS shows in the text as "eyJ…": without one there is nothing to expand
  return claims && json.includes('eyJ') ? (expandNested(claims, 0) as Record<string, unknown>) : claims;
}

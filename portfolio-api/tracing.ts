// The API's span for one request, for the flow inspector: named for the route (`GET /portfolio`,
// `POST /trade-intents/:id/confirm`) and annotated with who called — the token's subject, client,
// scopes and delegation chain (act), never the token itself.
import type { Caller } from './authz.js';

/** the route pattern a request matched: each parameter's segment shown as `:name` */
export function routeName(pathname: string, params: Record<string, string>): string {
  const byValue = new Map(Object.entries(params).map(([name, value]) => [value, name]));
  if (!byValue.size) return pathname;
  return pathname.split('/').map((part) => (byValue.has(part) ? `:${byValue.get(part)}` : part)).join('/');
}

export function callerAttributes(caller: Caller): Record<string, unknown> {
  return {
    'caller.sub': caller.sub,
    'caller.client_id': caller.client_id,
    'caller.scope': caller.scope,
    'caller.act': caller.act,
    'caller.client_type': caller.client_type,
    'caller.client_assurance_level': caller.client_assurance_level,
  };
}

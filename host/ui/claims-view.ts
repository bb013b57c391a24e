// Decoded token claims as a card: who (sub), for what (aud, scope), issued to whom (client_id), and the
// delegation chain drawn as nested boxes, newest actor outermost, exactly as RFC 8693 nests `act`.
import { h } from './dom.js';

const KEY_ORDER = ['sub', 'aud', 'scope', 'client_id', 'iss', 'region', 'client_type', 'client_assurance_level', 'authorization_details', 'iat', 'exp', 'jti'];
const TIME_KEYS = new Set(['iat', 'exp', 'nbf', 'auth_time']);
const NESTED = new Set(['act', 'may_act']);

function formatValue(key: string, value: unknown): string {
  if (TIME_KEYS.has(key) && typeof value === 'number') {
    const d = new Date(value * 1000);
    const rel = Math.round((value * 1000 - Date.now()) / 1000);
    const when = Math.abs(rel) < 3600 ? `${rel >= 0 ? 'in ' : ''}${Math.abs(rel)} s${rel < 0 ? ' ago' : ''}` : d.toLocaleString();
    return `${d.toLocaleTimeString()} (${when})`;
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function actorBox(label: string, claims: Record<string, unknown>, depth: number): HTMLElement {
  const rows = Object.entries(claims).filter(([k]) => !NESTED.has(k));
  return h('div', { class: `claims-actor depth-${Math.min(depth, 3)}`, testid: 'claims-act' },
    h('div', { class: 'claims-actor-label' }, label),
    h('dl', { class: 'claims-list' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, formatValue(k, v))])),
    claims.act && typeof claims.act === 'object' ? actorBox('on behalf of (act)', claims.act as Record<string, unknown>, depth + 1) : null,
  );
}

export function claimsCard(title: string, claims: Record<string, unknown>): HTMLElement {
  const keys = Object.keys(claims).sort((a, b) => {
    const ia = KEY_ORDER.indexOf(a);
    const ib = KEY_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return h('div', { class: 'claims-card', testid: 'claims-card' },
    h('div', { class: 'claims-title' }, title),
    h('dl', { class: 'claims-list' }, keys.filter((k) => !NESTED.has(k)).map((k) => [
      h('dt', {}, k),
      h('dd', { class: k === 'scope' ? 'claims-scope' : k === 'sub' ? 'claims-sub' : undefined }, formatValue(k, claims[k])),
    ])),
    claims.act && typeof claims.act === 'object' ? actorBox('acting party (act)', claims.act as Record<string, unknown>, 1) : null,
    claims.may_act && typeof claims.may_act === 'object' ? h('div', { class: 'claims-may-act' }, 'may_act: ', JSON.stringify(claims.may_act)) : null,
  );
}

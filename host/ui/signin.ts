// The sign-in card the host shows when a tool needs authorization. Its button opens the authorization
// URL in a popup (a click, so no popup blocker interferes); the host's /oauth/callback page reports
// back by postMessage to its opener and on a BroadcastChannel (in case the opener link was cut).
import { h } from './dom.js';
import type { SignInReason } from './protocol.js';

export type SignInOutcome = { ok: true } | { ok: false; error: string; description?: string };

const TEXT: Record<SignInReason, { title: string; body: string }> = {
  sign_in: { title: 'Sign in to use this tool', body: 'The MCP server needs to know who you are. Sign in with the authorization server and approve what this host may do.' },
  step_up: { title: 'More access needed', body: 'Your current access does not cover this action. Approve the additional permission to continue.' },
  reauthorize: { title: 'Sign in again', body: 'The MCP server no longer accepts the host’s access (it expired or was revoked). Sign in again to continue.' },
};

interface OAuthMessage {
  type: 'lab-host:oauth';
  ok: boolean;
  error?: string;
  description?: string;
}

const isOAuthMessage = (data: unknown): data is OAuthMessage => typeof data === 'object' && data !== null && (data as OAuthMessage).type === 'lab-host:oauth';

export function signInCard(opts: { reason: SignInReason; authorizationUrl: string; scope?: string; registration?: string; clientId?: string; server?: string }) {
  const text = TEXT[opts.reason] ?? TEXT.sign_in;
  const state = h('div', { class: 'signin-state', testid: 'sign-in-state', 'data-state': 'waiting' }, 'Waiting for you to sign in…');
  const button = h('button', { class: 'primary', testid: 'sign-in-button' }, opts.reason === 'step_up' ? 'Grant access' : 'Sign in');
  const authHost = new URL(opts.authorizationUrl).host;
  const card = h('div', { class: 'signin-card', testid: 'sign-in-card', 'data-reason': opts.reason },
    h('div', { class: 'signin-title' }, text.title),
    h('p', {}, text.body),
    h('dl', { class: 'signin-facts' },
      h('dt', {}, 'Authorization server'), h('dd', {}, authHost),
      opts.scope ? [h('dt', {}, 'Scope requested'), h('dd', {}, ...opts.scope.split(' ').map((s) => h('span', { class: 'scope-chip' }, s)))] : null,
      opts.registration ? [h('dt', {}, 'Client registration'), h('dd', {}, h('span', { class: 'badge reg' }, opts.registration.toUpperCase()), ' ', h('code', {}, opts.clientId ?? ''))] : null,
    ),
    h('div', { class: 'signin-actions' }, button, state),
  );

  const setState = (name: string, message: string) => {
    state.dataset.state = name;
    state.textContent = message;
  };

  const outcome = new Promise<SignInOutcome>((resolve) => {
    let done = false;
    let popup: Window | null = null;
    let watch: ReturnType<typeof setInterval> | undefined;
    const channel = 'BroadcastChannel' in window ? new BroadcastChannel('lab-host-oauth') : undefined;

    const finish = (result: SignInOutcome) => {
      if (done) return;
      done = true;
      clearInterval(watch);
      window.removeEventListener('message', onMessage);
      channel?.close();
      button.disabled = true;
      if (result.ok) setState('signed-in', 'Signed in. Continuing…');
      else if (result.error === 'access_denied') setState('denied', 'Access denied: you did not allow the host to act for you. Nothing was done.');
      else setState('failed', `Sign-in failed: ${result.description ?? result.error}`);
      resolve(result);
    };
    const handle = (data: unknown) => {
      if (isOAuthMessage(data)) finish(data.ok ? { ok: true } : { ok: false, error: data.error ?? 'failed', description: data.description });
    };
    const onMessage = (event: MessageEvent) => {
      // same origin and from our popup: the callback page is served by this host
      if (event.origin !== location.origin || (popup && event.source !== popup)) return;
      handle(event.data);
    };
    window.addEventListener('message', onMessage);
    if (channel) channel.onmessage = (event) => handle(event.data);

    button.addEventListener('click', () => {
      popup = window.open(opts.authorizationUrl, 'lab-host-sign-in', 'popup,width=520,height=760');
      if (!popup) {
        setState('blocked', 'The popup was blocked: allow popups for this page, or ');
        state.append(h('a', { href: opts.authorizationUrl, target: '_blank', rel: 'opener' }, 'open the sign-in page in a new tab'), '.');
        return;
      }
      setState('pending', 'Complete the sign-in in the popup window…');
      clearInterval(watch);
      let closedSince = 0;
      watch = setInterval(() => {
        if (!popup?.closed) return;
        // the callback's message may still be on its way: wait a moment before calling it cancelled
        closedSince ||= Date.now();
        if (Date.now() - closedSince > 1500) {
          clearInterval(watch);
          if (!done) {
            setState('cancelled', 'The sign-in window was closed before finishing. Press the button to try again.');
            button.disabled = false;
          }
        }
      }, 400);
    });
  });

  return { card, outcome };
}
